using EpdCluster.Engine.Kv;

namespace EpdCluster.Transfer.Kv.Codecs;

/// <summary>
/// ZipCache (He et al., NeurIPS 2024): mixed precision by token saliency. Per layer and KV head, the
/// <see cref="KvCodecOptions.SalientFraction"/> of tokens with the highest normalized attention (attention received
/// from probe queries ÷ probes that can see the token) get <see cref="KvCodecOptions.SalientBits"/>, the rest
/// <see cref="KvCodecOptions.RegularBits"/>; a 1-bit mask per token records which. Keys are quantized per channel
/// within each precision set (groups of <see cref="KvCodecOptions.KeyGroupTokens"/> tokens); values are
/// channel-separable: each channel is divided by c_j = √(max_t |V_tj|), quantized per token, and multiplied back.
/// Body per layer and head: the mask, the fp16 channel scales, then for the salient and the regular set: key groups
/// (min/step per channel, packed codes), value min/step per token, value codes.
/// </summary>
internal sealed class ZipCacheKvCodec(KvCodecOptions options) : KvBlockCodec
{
    public override string Id => KvCodecSpec.ZipCache;

    public override (KvEncoding Parameters, byte[] Body) Encode(KvSnapshot kv)
    {
        var (layout, slots) = (kv.Layout, kv.Slots);
        var saliency = kv.Saliency ?? throw new ArgumentException("ZipCache needs attention saliency: export the KV with probes (GenerationRequest.KvProbes).", nameof(kv));
        if (saliency.Tokens != slots || saliency.Layers != layout.Layers || saliency.KvHeads != layout.KvHeads)
        {
            throw new ArgumentException($"Saliency of {saliency.Layers}×{saliency.KvHeads}×{saliency.Tokens} does not describe {slots} slots of layout {layout}.", nameof(kv));
        }

        var parameters = new KvEncoding
        {
            Bits = options.SalientBits,
            LowBits = options.RegularBits,
            KeyGroupTokens = options.KeyGroupTokens,
            ValueGroupChannels = layout.HeadDim,
        };
        var salientCount = (int)Math.Round(options.SalientFraction * slots);
        var writer = new KvBodyWriter(kv.Data.Length / 2);
        var head = new HeadPlanes(layout.HeadDim, slots);
        for (var layer = 0; layer < layout.Layers; layer++)
        {
            var keys = KvPlanes.Read(layout, kv.Data, slots, layer, KvPlanes.Keys);
            var values = KvPlanes.Read(layout, kv.Data, slots, layer, KvPlanes.Values);
            for (var h = 0; h < layout.KvHeads; h++)
            {
                var (scores, offset) = (saliency.Normalized, saliency.Offset(layer, h));
                var ranked = Enumerable.Range(0, slots).OrderByDescending(t => scores[offset + t]).ThenBy(t => t).ToArray();
                Array.Clear(head.Mask);
                foreach (var t in ranked.AsSpan(0, salientCount))
                {
                    head.Mask[t] = 1;
                }

                writer.Codes(head.Mask, 1);
                head.Load(keys, values, layout.Channels, h);
                for (var d = 0; d < layout.HeadDim; d++)
                {
                    writer.Half(head.Scales[d] = ChannelScale(head.Values, d, layout.HeadDim, slots));
                }

                EncodeSet(writer, head, salient: true, parameters.Bits, parameters.KeyGroupTokens);
                EncodeSet(writer, head, salient: false, parameters.LowBits, parameters.KeyGroupTokens);
            }
        }

        return (parameters, writer.ToArray());
    }

    public override float[] Decode(KvEncoding encoding, KvLayout layout, ReadOnlySpan<byte> body)
    {
        RequireBits(encoding.Bits, "salient");
        RequireBits(encoding.LowBits, "regular");
        RequirePositive(encoding.KeyGroupTokens, "key group");
        var slots = encoding.Slots;
        var data = new float[layout.FloatsFor(slots)];
        var reader = new KvBodyReader(body, Id);
        var head = new HeadPlanes(layout.HeadDim, slots);
        var keys = new float[slots * layout.Channels];
        var values = new float[slots * layout.Channels];
        for (var layer = 0; layer < layout.Layers; layer++)
        {
            for (var h = 0; h < layout.KvHeads; h++)
            {
                reader.Codes(head.Mask, 1);
                for (var d = 0; d < layout.HeadDim; d++)
                {
                    head.Scales[d] = reader.Half();
                }

                DecodeSet(ref reader, head, salient: true, encoding.Bits, encoding.KeyGroupTokens);
                DecodeSet(ref reader, head, salient: false, encoding.LowBits, encoding.KeyGroupTokens);
                head.Store(keys, values, layout.Channels, h);
            }

            KvPlanes.Write(layout, keys, data, slots, layer, KvPlanes.Keys);
            KvPlanes.Write(layout, values, data, slots, layer, KvPlanes.Values);
        }

        reader.EnsureEnd();
        return data;
    }

    /// <summary>c_j = √(max_t |V_tj|) in fp16; 1 for an all-zero channel (nothing to scale).</summary>
    private static Half ChannelScale(float[] values, int channel, int headDim, int slots)
    {
        var max = 0f;
        for (var t = 0; t < slots; t++)
        {
            max = Math.Max(max, Math.Abs(values[(t * headDim) + channel]));
        }

        var scale = (Half)MathF.Sqrt(max);
        return scale == Half.Zero || !Half.IsFinite(scale) ? Half.One : scale;
    }

    private static void EncodeSet(KvBodyWriter writer, HeadPlanes head, bool salient, int bits, int groupTokens)
    {
        var (members, dim) = (head.Members(salient), head.HeadDim);
        var set = new float[members.Length * dim];
        var codes = new byte[members.Length * dim];
        for (var i = 0; i < members.Length; i++)
        {
            head.Keys.AsSpan(members[i] * dim, dim).CopyTo(set.AsSpan(i * dim));
        }

        for (var first = 0; first < members.Length; first += groupTokens)
        {
            var tokens = Math.Min(groupTokens, members.Length - first);
            for (var d = 0; d < dim; d++)
            {
                var (min, step) = AsymmetricQuantizer.Quantize(set, (first * dim) + d, dim, bits, codes.AsSpan(d * tokens, tokens));
                writer.Half(min);
                writer.Half(step);
            }

            writer.Codes(codes.AsSpan(0, tokens * dim), bits);
        }

        for (var i = 0; i < members.Length; i++)
        {
            for (var d = 0; d < dim; d++)
            {
                set[(i * dim) + d] = head.Values[(members[i] * dim) + d] / (float)head.Scales[d];
            }

            var (min, step) = AsymmetricQuantizer.Quantize(set, i * dim, 1, bits, codes.AsSpan(i * dim, dim));
            writer.Half(min);
            writer.Half(step);
        }

        writer.Codes(codes, bits);
    }

    private static void DecodeSet(ref KvBodyReader reader, HeadPlanes head, bool salient, int bits, int groupTokens)
    {
        var (members, dim) = (head.Members(salient), head.HeadDim);
        var set = new float[members.Length * dim];
        var codes = new byte[members.Length * dim];
        var ranges = new (Half Min, Half Step)[Math.Max(dim, members.Length)];
        for (var first = 0; first < members.Length; first += groupTokens)
        {
            var tokens = Math.Min(groupTokens, members.Length - first);
            for (var d = 0; d < dim; d++)
            {
                ranges[d] = (reader.Half(), reader.Half());
            }

            reader.Codes(codes.AsSpan(0, tokens * dim), bits);
            for (var d = 0; d < dim; d++)
            {
                AsymmetricQuantizer.Dequantize(codes.AsSpan(d * tokens, tokens), ranges[d].Min, ranges[d].Step, set, (first * dim) + d, dim);
            }
        }

        for (var i = 0; i < members.Length; i++)
        {
            set.AsSpan(i * dim, dim).CopyTo(head.Keys.AsSpan(members[i] * dim, dim));
        }

        for (var i = 0; i < members.Length; i++)
        {
            ranges[i] = (reader.Half(), reader.Half());
        }

        reader.Codes(codes, bits);
        for (var i = 0; i < members.Length; i++)
        {
            AsymmetricQuantizer.Dequantize(codes.AsSpan(i * dim, dim), ranges[i].Min, ranges[i].Step, set, i * dim, 1);
            for (var d = 0; d < dim; d++)
            {
                head.Values[(members[i] * dim) + d] = set[(i * dim) + d] * (float)head.Scales[d];
            }
        }
    }

    /// <summary>One KV head's keys and values [slots, headDim], its precision mask and value channel scales.</summary>
    private sealed class HeadPlanes(int headDim, int slots)
    {
        public int HeadDim { get; } = headDim;

        public byte[] Mask { get; } = new byte[slots];

        public Half[] Scales { get; } = new Half[headDim];

        public float[] Keys { get; } = new float[slots * headDim];

        public float[] Values { get; } = new float[slots * headDim];

        /// <summary>Slots of one precision set, ascending.</summary>
        public int[] Members(bool salient) => [.. Enumerable.Range(0, Mask.Length).Where(t => (Mask[t] == 1) == salient)];

        public void Load(float[] keys, float[] values, int channels, int head)
        {
            for (var t = 0; t < Mask.Length; t++)
            {
                keys.AsSpan((t * channels) + (head * HeadDim), HeadDim).CopyTo(Keys.AsSpan(t * HeadDim));
                values.AsSpan((t * channels) + (head * HeadDim), HeadDim).CopyTo(Values.AsSpan(t * HeadDim));
            }
        }

        public void Store(float[] keys, float[] values, int channels, int head)
        {
            for (var t = 0; t < Mask.Length; t++)
            {
                Keys.AsSpan(t * HeadDim, HeadDim).CopyTo(keys.AsSpan((t * channels) + (head * HeadDim)));
                Values.AsSpan(t * HeadDim, HeadDim).CopyTo(values.AsSpan((t * channels) + (head * HeadDim)));
            }
        }
    }
}
