namespace EpdCluster.Transfer.Tests;

public sealed class TransferOptionsTests
{
    [Fact]
    public void Defaults_are_valid_and_match_the_documented_values()
    {
        var options = new TransferOptions();
        options.Validate();

        Assert.Equal(KvTransport.Direct, options.KvTransport);
        Assert.Equal(0, options.DirectPort);
        Assert.Equal(8, options.FrameBlocks);
        Assert.Equal(256L * 1024 * 1024, options.MaxPayloadBytes);
        Assert.Equal(TimeSpan.FromSeconds(60), options.KvTtl);
        Assert.Equal(TimeSpan.FromHours(24), options.MultimodalTtl);
        Assert.Equal(TimeSpan.FromSeconds(120), options.PixelTtl);
        Assert.Equal(TensorDType.F16, options.CacheDType);
        Assert.Equal(64 * 1024, options.FrameLimits.MaxHeaderBytes);
        Assert.True(options.KvCodecSpec.IsRaw); // the lossless default keeps greedy outputs equal to the aggregated engine's
        Assert.Equal((4, 128, 32, 32), (options.KvCodecs.KiviBits, options.KvCodecs.KeyGroupTokens, options.KvCodecs.ValueGroupChannels, options.KvCodecs.ResidualTokens));
    }

    public static TheoryData<string, Action<TransferOptions>> BadSettings => new()
    {
        { "DirectPort", o => o.DirectPort = 70000 },
        { "FrameBlocks", o => o.FrameBlocks = 0 },
        { "AckTimeout", o => o.AckTimeout = TimeSpan.Zero },
        { "ConnectTimeout", o => o.ConnectTimeout = TimeSpan.FromSeconds(-1) },
        { "MaxPayloadBytes", o => o.MaxPayloadBytes = 4L * 1024 * 1024 * 1024 },
        { "KvTtl", o => o.KvTtl = TimeSpan.Zero },
        { "MultimodalTtl", o => o.MultimodalTtl = TimeSpan.FromTicks(1) },
        { "PixelTtl", o => o.PixelTtl = TimeSpan.FromSeconds(-5) },
        { "CacheDType", o => o.CacheDType = (TensorDType)7 },
        { "KvTransport", o => o.KvTransport = (KvTransport)9 },
        { "InProcessCacheBytes", o => o.InProcessCacheBytes = 0 },
        { "KvCodec", o => o.KvCodec = "kivi5" },
        { "KvCodecs:KiviBits", o => o.KvCodecs.KiviBits = 3 },
        { "KvCodecs:ImageRetention", o => o.KvCodecs.ImageRetention = 0 },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void A_bad_setting_is_named(string setting, Action<TransferOptions> spoil)
    {
        var options = new TransferOptions();
        spoil(options);

        var error = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.Contains($"Epd:Transfer:{setting}", error.Message);
    }
}
