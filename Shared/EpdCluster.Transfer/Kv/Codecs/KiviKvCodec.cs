using EpdCluster.Engine.Kv;

namespace EpdCluster.Transfer.Kv.Codecs;

/// <summary>
/// KIVI (Liu et al., ICML 2024): asymmetric b-bit quantization with keys per channel (a group is one channel over
/// <see cref="KvCodecOptions.KeyGroupTokens"/> tokens: keys have outlier channels) and values per token (a group is
/// <see cref="KvCodecOptions.ValueGroupChannels"/> channels of one token). Min and step in fp16; the newest
/// <see cref="KvCodecOptions.ResidualTokens"/> slots stay fp16. Keys are quantized after RoPE, as the cache holds them.
/// Body per layer: key groups (per group: min/step per channel, then its packed codes), value min/step per token and
/// group, value codes, then the residual keys and values in fp16.
/// </summary>
internal sealed class KiviKvCodec(KvCodecOptions options) : KvBlockCodec
{
    public override string Id => KvCodecSpec.Kivi;

    public override (KvEncoding Parameters, byte[] Body) Encode(KvSnapshot kv)
    {
        var parameters = new KvEncoding
        {
            Bits = options.KiviBits,
            KeyGroupTokens = options.KeyGroupTokens,
            ValueGroupChannels = options.ValueGroupChannels,
            ResidualTokens = options.ResidualTokens,
        };
        var (layout, slots) = (kv.Layout, kv.Slots);
        var channels = layout.Channels;
        var quantized = Math.Max(0, slots - parameters.ResidualTokens);
        var writer = new KvBodyWriter(kv.Data.Length / 2);
        var keyCodes = new byte[Math.Min(parameters.KeyGroupTokens, Math.Max(quantized, 1)) * channels];
        var valueCodes = new byte[quantized * channels];
        for (var layer = 0; layer < layout.Layers; layer++)
        {
            var keys = KvPlanes.Read(layout, kv.Data, slots, layer, KvPlanes.Keys);
            var values = KvPlanes.Read(layout, kv.Data, slots, layer, KvPlanes.Values);
            for (var first = 0; first < quantized; first += parameters.KeyGroupTokens)
            {
                var tokens = Math.Min(parameters.KeyGroupTokens, quantized - first);
                for (var c = 0; c < channels; c++)
                {
                    var (min, step) = AsymmetricQuantizer.Quantize(keys, (first * channels) + c, channels, parameters.Bits, keyCodes.AsSpan(c * tokens, tokens));
                    writer.Half(min);
                    writer.Half(step);
                }

                writer.Codes(keyCodes.AsSpan(0, tokens * channels), parameters.Bits);
            }

            for (var t = 0; t < quantized; t++)
            {
                for (var c = 0; c < channels; c += parameters.ValueGroupChannels)
                {
                    var width = Math.Min(parameters.ValueGroupChannels, channels - c);
                    var (min, step) = AsymmetricQuantizer.Quantize(values, (t * channels) + c, 1, parameters.Bits, valueCodes.AsSpan((t * channels) + c, width));
                    writer.Half(min);
                    writer.Half(step);
                }
            }

            writer.Codes(valueCodes, parameters.Bits);
            writer.Halves(keys.AsSpan(quantized * channels));
            writer.Halves(values.AsSpan(quantized * channels));
        }

        return (parameters, writer.ToArray());
    }

    public override float[] Decode(KvEncoding encoding, KvLayout layout, ReadOnlySpan<byte> body)
    {
        RequireBits(encoding.Bits, Id);
        RequirePositive(encoding.KeyGroupTokens, "key group");
        RequirePositive(encoding.ValueGroupChannels, "value group");
        if (encoding.ResidualTokens < 0)
        {
            throw new KvCodecException($"A KV frame's residual is {encoding.ResidualTokens} tokens.");
        }

        var (slots, channels, bits) = (encoding.Slots, layout.Channels, encoding.Bits);
        var quantized = Math.Max(0, slots - encoding.ResidualTokens);
        var data = new float[layout.FloatsFor(slots)];
        var reader = new KvBodyReader(body, Id);
        var keyCodes = new byte[Math.Min(encoding.KeyGroupTokens, Math.Max(quantized, 1)) * channels];
        var valueCodes = new byte[quantized * channels];
        var groupsPerToken = (channels + encoding.ValueGroupChannels - 1) / encoding.ValueGroupChannels;
        var ranges = new (Half Min, Half Step)[Math.Max(channels, quantized * groupsPerToken)];
        var keys = new float[slots * channels];
        var values = new float[slots * channels];
        for (var layer = 0; layer < layout.Layers; layer++)
        {
            for (var first = 0; first < quantized; first += encoding.KeyGroupTokens)
            {
                var tokens = Math.Min(encoding.KeyGroupTokens, quantized - first);
                for (var c = 0; c < channels; c++)
                {
                    ranges[c] = (reader.Half(), reader.Half());
                }

                reader.Codes(keyCodes.AsSpan(0, tokens * channels), bits);
                for (var c = 0; c < channels; c++)
                {
                    AsymmetricQuantizer.Dequantize(keyCodes.AsSpan(c * tokens, tokens), ranges[c].Min, ranges[c].Step, keys, (first * channels) + c, channels);
                }
            }

            for (var g = 0; g < quantized * groupsPerToken; g++)
            {
                ranges[g] = (reader.Half(), reader.Half());
            }

            reader.Codes(valueCodes, bits);
            for (var t = 0; t < quantized; t++)
            {
                for (var g = 0; g < groupsPerToken; g++)
                {
                    var c = g * encoding.ValueGroupChannels;
                    var width = Math.Min(encoding.ValueGroupChannels, channels - c);
                    var (min, step) = ranges[(t * groupsPerToken) + g];
                    AsymmetricQuantizer.Dequantize(valueCodes.AsSpan((t * channels) + c, width), min, step, values, (t * channels) + c, 1);
                }
            }

            reader.Halves(keys.AsSpan(quantized * channels));
            reader.Halves(values.AsSpan(quantized * channels));
            KvPlanes.Write(layout, keys, data, slots, layer, KvPlanes.Keys);
            KvPlanes.Write(layout, values, data, slots, layer, KvPlanes.Values);
        }

        reader.EnsureEnd();
        return data;
    }
}
