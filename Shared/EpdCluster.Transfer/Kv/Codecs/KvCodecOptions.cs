namespace EpdCluster.Transfer.Kv.Codecs;

/// <summary>Parameters of the KV codecs (section <c>Epd:Transfer:KvCodecs</c>); which codec runs is <see cref="TransferOptions.KvCodec"/>.</summary>
public sealed class KvCodecOptions
{
    public const string SectionName = TransferOptions.SectionName + ":KvCodecs";

    /// <summary>KIVI code width (default 4; KIVI's paper also runs 2).</summary>
    public int KiviBits { get; set; } = 4;

    /// <summary>
    /// Tokens per key group: keys are quantized per channel over this many tokens (default 128 = 8 blocks of 16). Each
    /// group carries an fp16 min and step per channel, 32/G bits per element: 16-token groups would cost 2 bits.
    /// </summary>
    public int KeyGroupTokens { get; set; } = 128;

    /// <summary>Channels per value group: values are quantized per token over this many channels (default 32, KIVI's group size).</summary>
    public int ValueGroupChannels { get; set; } = 32;

    /// <summary>Newest tokens KIVI keeps in fp16 (default 32, as the issue sets; KIVI's paper uses up to 128).</summary>
    public int ResidualTokens { get; set; } = 32;

    /// <summary>ZipCache: share of tokens per KV head, by normalized attention, kept at <see cref="SalientBits"/> (default 0.6).</summary>
    public double SalientFraction { get; set; } = 0.6;

    /// <summary>ZipCache: code width of salient tokens (default 4).</summary>
    public int SalientBits { get; set; } = 4;

    /// <summary>ZipCache: code width of the other tokens (default 2).</summary>
    public int RegularBits { get; set; } = 2;

    /// <summary>Saliency probes: the prompt's last share of positions (default 0.05, ZipCache's 5 %).</summary>
    public double ProbeRecentFraction { get; set; } = 0.05;

    /// <summary>Saliency probes: a random share of the earlier positions (default 0.05, ZipCache's 5 %).</summary>
    public double ProbeRandomFraction { get; set; } = 0.05;

    /// <summary>LOOK-M: image tokens kept, as a share of the prompt's image tokens (default 0.3).</summary>
    public double ImageRetention { get; set; } = 0.3;

    /// <summary>LOOK-M: first tokens always kept (default 4: attention sinks).</summary>
    public int KeepFirstTokens { get; set; } = 4;

    /// <summary>LOOK-M: share of the newest tokens always kept (default 0.1).</summary>
    public double RecentFraction { get; set; } = 0.1;

    public void Validate()
    {
        Require(KiviBits is 2 or 4 or 8, nameof(KiviBits), "2, 4 or 8", KiviBits);
        Require(KeyGroupTokens >= 1, nameof(KeyGroupTokens), "at least 1", KeyGroupTokens);
        Require(ValueGroupChannels >= 1, nameof(ValueGroupChannels), "at least 1", ValueGroupChannels);
        Require(ResidualTokens >= 0, nameof(ResidualTokens), "0 or more", ResidualTokens);
        Require(SalientFraction is >= 0 and <= 1, nameof(SalientFraction), "between 0 and 1", SalientFraction);
        Require(SalientBits is 2 or 4 or 8, nameof(SalientBits), "2, 4 or 8", SalientBits);
        Require(RegularBits is 1 or 2 or 4 or 8 && RegularBits <= SalientBits, nameof(RegularBits), "1, 2, 4 or 8 and at most SalientBits", RegularBits);
        Require(ProbeRecentFraction is > 0 and <= 1, nameof(ProbeRecentFraction), "in (0, 1]", ProbeRecentFraction);
        Require(ProbeRandomFraction is >= 0 and <= 1, nameof(ProbeRandomFraction), "between 0 and 1", ProbeRandomFraction);
        Require(ImageRetention is > 0 and <= 1, nameof(ImageRetention), "in (0, 1]", ImageRetention);
        Require(KeepFirstTokens >= 0, nameof(KeepFirstTokens), "0 or more", KeepFirstTokens);
        Require(RecentFraction is >= 0 and <= 1, nameof(RecentFraction), "between 0 and 1", RecentFraction);
    }

    private static void Require(bool condition, string name, string expected, object actual)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"{SectionName}:{name} must be {expected}, not {actual}.");
        }
    }
}
