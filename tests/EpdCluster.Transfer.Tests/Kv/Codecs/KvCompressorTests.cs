using System.Runtime.InteropServices;
using EpdCluster.Engine.Kv;
using EpdCluster.Transfer.Kv.Codecs;

namespace EpdCluster.Transfer.Tests.Kv.Codecs;

/// <summary>Each codec's frames round-trip: lossless ones byte for byte, lossy ones within their quantization bounds; damaged or unknown input is refused.</summary>
public sealed class KvCompressorTests
{
    private static readonly KvCodecOptions Options = new();
    private readonly KvCompressor _compressor = new(Options);

    [Theory]
    [InlineData("none")]
    [InlineData("none+lz4")]
    public void Lossless_codecs_round_trip_byte_for_byte(string spec)
    {
        var kv = KvSnapshots.Random(70, seed: 1);

        var decoded = RoundTrip(kv, spec);

        Assert.Equal(MemoryMarshal.AsBytes(kv.Data.AsSpan()).ToArray(), MemoryMarshal.AsBytes(decoded.Data.AsSpan()).ToArray());
        Assert.Equal((70, 70), (decoded.Tokens, decoded.Slots));
    }

    [Fact]
    public void None_f16_is_half_the_bytes_and_rounds_each_value_to_fp16()
    {
        var kv = KvSnapshots.Random(40, seed: 2);

        var (encoding, bytes) = _compressor.Encode(kv, KvCodecSpec.Parse("none-f16"));
        var decoded = _compressor.Decode(encoding, bytes, kv.Layout);

        Assert.Equal(kv.Data.Length * 2, bytes.Length);
        Assert.Equal(kv.Data.Select(x => (float)(Half)x), decoded.Data);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(2)]
    public void Kivi_keeps_keys_within_half_a_channel_step_values_within_half_a_token_step_and_the_residual_in_fp16(int bits)
    {
        var options = new KvCodecOptions { KiviBits = bits };
        var compressor = new KvCompressor(options);
        var kv = KvSnapshots.Random(150, seed: 3);

        var (encoding, bytes) = compressor.Encode(kv, KvCodecSpec.Parse("kivi"));
        var decoded = compressor.Decode(encoding, bytes, kv.Layout);

        var quantized = 150 - options.ResidualTokens;
        var levels = (1 << bits) - 1;
        for (var layer = 0; layer < kv.Layout.Layers; layer++)
        {
            for (var c = 0; c < kv.Layout.Channels; c++)
            {
                for (var first = 0; first < quantized; first += options.KeyGroupTokens)
                {
                    var group = Enumerable.Range(first, Math.Min(options.KeyGroupTokens, quantized - first)).Select(t => kv.Vector(t, layer, 0)[c]).ToArray();
                    var bound = HalfStep(group, levels);
                    for (var t = first; t < first + group.Length; t++)
                    {
                        Assert.InRange(Math.Abs(kv.Vector(t, layer, 0)[c] - decoded.Vector(t, layer, 0)[c]), 0, bound);
                    }
                }
            }

            for (var t = 0; t < 150; t++)
            {
                var original = kv.Vector(t, layer, 1).ToArray();
                var restored = decoded.Vector(t, layer, 1).ToArray();
                for (var g = 0; g < original.Length; g += options.ValueGroupChannels)
                {
                    var group = original[g..(g + options.ValueGroupChannels)];
                    var bound = t < quantized ? HalfStep(group, levels) : group.Max(Math.Abs) / 2048;
                    Assert.All(Enumerable.Range(g, group.Length), i => Assert.InRange(Math.Abs(original[i] - restored[i]), 0, bound));
                }

                if (t >= quantized)
                {
                    Assert.Equal(kv.Vector(t, layer, 0).ToArray().Select(x => (float)(Half)x), decoded.Vector(t, layer, 0).ToArray());
                }
            }
        }

        // Per layer: one key group (min and step per channel, b-bit codes packed 8/b per byte), per-token value
        // groups of 32 channels, and the fp16 residual.
        var channels = kv.Layout.Channels;
        var perLayer = (channels * 4) + (quantized * channels * bits / 8)
            + (quantized * (channels / options.ValueGroupChannels) * 4) + (quantized * channels * bits / 8)
            + (options.ResidualTokens * channels * 2 * 2);
        Assert.Equal(kv.Layout.Layers * perLayer, bytes.Length);
    }

    [Fact]
    public void Zipcache_gives_the_salient_share_of_each_head_the_high_precision()
    {
        var kv = KvSnapshots.Random(100, seed: 4, withSaliency: true);

        var (encoding, bytes) = _compressor.Encode(kv, KvCodecSpec.Parse("zipcache"));
        var decoded = _compressor.Decode(encoding, bytes, kv.Layout);

        Assert.Equal((4, 2), (encoding.Bits, encoding.LowBits));
        var saliency = kv.Saliency!;
        var dim = kv.Layout.HeadDim;
        var errors = new[] { new List<double>(), new List<double>() };
        for (var layer = 0; layer < kv.Layout.Layers; layer++)
        {
            for (var head = 0; head < kv.Layout.KvHeads; head++)
            {
                var scores = saliency.Normalized.AsSpan(saliency.Offset(layer, head), 100).ToArray();
                var threshold = scores.OrderDescending().ElementAt(59);
                for (var t = 0; t < 100; t++)
                {
                    var salient = scores[t] >= threshold;
                    var original = kv.Vector(t, layer, 1).Slice(head * dim, dim).ToArray();
                    var restored = decoded.Vector(t, layer, 1).Slice(head * dim, dim).ToArray();
                    errors[salient ? 0 : 1].Add(Math.Sqrt(original.Zip(restored, (a, b) => (a - b) * (a - b)).Sum() / original.Select(a => a * a).Sum()));
                }
            }
        }

        Assert.Equal(60 * 4, errors[0].Count);
        Assert.True(errors[0].Average() * 2.5 < errors[1].Average(), $"4-bit error {errors[0].Average()} vs 2-bit {errors[1].Average()}");
        Assert.True(errors[1].Average() < 0.5, $"2-bit value error {errors[1].Average()}");
    }

    [Fact]
    public void Lookm_keeps_text_first_recent_and_the_top_image_tokens_and_averages_the_rest_into_similar_keys()
    {
        // 100 tokens: text 0..9 and 90..99, image 10..89 (80 tokens: 24 kept at 30 %).
        var kv = KvSnapshots.Random(100, seed: 5, withSaliency: true, isImage: t => t is >= 10 and < 90);

        var (encoding, bytes) = _compressor.Encode(kv, KvCodecSpec.Parse("lookm+none"));
        var decoded = _compressor.Decode(encoding, bytes, kv.Layout);

        Assert.Equal(("lookm", 100, 20 + 24), (encoding.Eviction, decoded.Tokens, decoded.Slots));
        Assert.Equal(100 - 44, decoded.PositionOffset);

        // Head 0 of layer 0: the kept slots are the text tokens and the 24 best-scored image tokens, in prompt order.
        var scores = kv.Saliency!.Accumulated.AsSpan(0, 100).ToArray();
        var topImages = Enumerable.Range(10, 80).OrderByDescending(t => scores[t]).ThenBy(t => t).Take(24);
        var kept = Enumerable.Range(0, 10).Concat(topImages).Concat(Enumerable.Range(90, 10)).Order().ToArray();
        var dim = kv.Layout.HeadDim;
        var evicted = Enumerable.Range(10, 80).Except(kept).ToArray();
        var mergedInto = evicted.ToLookup(e => kept.MaxBy(c => Cosine(Key(kv, e), Key(kv, c))));
        for (var s = 0; s < kept.Length; s++)
        {
            var group = mergedInto[kept[s]].Prepend(kept[s]).ToArray();
            var expected = Enumerable.Range(0, dim).Select(d => group.Average(t => Key(kv, t)[d])).ToArray();
            var actual = decoded.Vector(s, 0, 0)[..dim].ToArray();
            Assert.All(Enumerable.Range(0, dim), d => Assert.Equal(expected[d], actual[d], 4));
        }
    }

    [Fact]
    public void Lookm_leaves_a_text_only_prompt_whole()
    {
        var kv = KvSnapshots.Random(50, seed: 6, withSaliency: true);

        var (encoding, _) = _compressor.Encode(kv, KvCodecSpec.Parse("lookm+kivi"));

        Assert.Equal((null, 50, 50), (encoding.Eviction, encoding.Tokens, encoding.Slots));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("none-f16")]
    [InlineData("kivi")]
    [InlineData("zipcache")]
    [InlineData("lookm+kivi+lz4")]
    public void A_truncated_or_lengthened_body_is_refused(string spec)
    {
        var kv = KvSnapshots.Random(60, seed: 7, withSaliency: true, isImage: t => t is >= 8 and < 50);
        var (encoding, bytes) = _compressor.Encode(kv, KvCodecSpec.Parse(spec));

        Assert.Throws<KvCodecException>(() => _compressor.Decode(encoding, bytes[..^1], kv.Layout));
        Assert.Throws<KvCodecException>(() => _compressor.Decode(encoding, [.. bytes, 0], kv.Layout));
        Assert.Throws<KvCodecException>(() => _compressor.Decode(encoding with { EncodedBytes = bytes.Length - 1, BodyBytes = encoding.BodyBytes - 1 }, bytes[..^1], kv.Layout));
        Assert.Throws<KvCodecException>(() => _compressor.Decode(encoding with { Slots = encoding.Slots - 1 }, bytes, kv.Layout));
    }

    [Fact]
    public void An_unknown_codec_or_another_layout_is_a_clear_error()
    {
        var kv = KvSnapshots.Random(20, seed: 8);
        var (encoding, bytes) = _compressor.Encode(kv, KvCodecSpec.Parse("kivi"));

        var unknown = Assert.Throws<KvCodecException>(() => _compressor.Decode(encoding with { Codec = "kivi9" }, bytes, kv.Layout));
        Assert.Contains("Unknown KV codec 'kivi9'", unknown.Message);
        var layout = Assert.Throws<KvCodecException>(() => _compressor.Decode(encoding, bytes, kv.Layout with { KvHeads = 4 }));
        Assert.Contains("layout", layout.Message);
    }

    [Theory]
    [InlineData("kivi", "kivi", false, null)]
    [InlineData("LOOKM+KIVI", "kivi", true, null)]
    [InlineData("lookm", "none", true, null)]
    [InlineData("none-f16+lz4", "none-f16", false, "lz4")]
    public void Specs_parse(string text, string codec, bool lookM, string? lossless)
    {
        Assert.Equal(new KvCodecSpec(codec, lookM, lossless), KvCodecSpec.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("kivi3")]
    [InlineData("lookm+zipcache")]
    [InlineData("kivi+zstd")]
    public void Bad_specs_are_refused(string text)
    {
        Assert.False(KvCodecSpec.TryParse(text, out _, out var error));
        Assert.NotEmpty(error);
    }

    private KvSnapshot RoundTrip(KvSnapshot kv, string spec)
    {
        var (encoding, bytes) = _compressor.Encode(kv, KvCodecSpec.Parse(spec));
        return _compressor.Decode(encoding, bytes, kv.Layout);
    }

    private static float HalfStep(float[] group, int levels) =>
        ((group.Max() - group.Min() + (Math.Abs(group.Min()) / 1024)) / levels / 2 * 1.002f) + 1e-6f;

    private static float[] Key(KvSnapshot kv, int token) => kv.Vector(token, 0, 0)[..kv.Layout.HeadDim].ToArray();

    private static double Cosine(float[] a, float[] b) =>
        a.Zip(b, (x, y) => (double)x * y).Sum() / Math.Sqrt(a.Sum(x => (double)x * x) * b.Sum(x => (double)x * x));
}
