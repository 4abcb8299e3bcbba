namespace EpdCluster.Transfer.Kv.Codecs;

/// <summary>
/// Which KV compression a transfer uses, written as <c>[lookm+]codec[+lz4]</c>: an optional LOOK-M eviction of
/// image tokens (multimodal prompts only), a quantization codec, and optional lossless LZ4 over the bytes.
/// Codecs: <c>none</c> (fp32, today's bytes), <c>none-f16</c>, <c>kivi</c>, <c>zipcache</c>.
/// </summary>
public sealed record KvCodecSpec(string Codec, bool LookM = false, string? Lossless = null)
{
    public const string None = "none";
    public const string NoneF16 = "none-f16";
    public const string Kivi = "kivi";
    public const string ZipCache = "zipcache";
    public const string LookMEviction = "lookm";
    public const string Lz4 = "lz4";

    public static IReadOnlyList<string> Codecs { get; } = [None, NoneF16, Kivi, ZipCache];

    /// <summary>The cluster default: fp32 blocks as the paged cache holds them, lossless.</summary>
    public static KvCodecSpec Default { get; } = new(None);

    /// <summary>Today's raw fp32 block frames, with no encoding header: what the aggregated engine's invariant relies on.</summary>
    public bool IsRaw => Codec == None && !LookM && Lossless is null;

    /// <summary>True when the export needs attention saliency (probe queries captured during prefill).</summary>
    public bool NeedsSaliency(bool multimodal) => Codec == ZipCache || (LookM && multimodal);

    /// <summary>The spec for one prompt: LOOK-M only applies to prompts with images.</summary>
    public KvCodecSpec ForPrompt(bool multimodal) => LookM && !multimodal ? this with { LookM = false } : this;

    public override string ToString() => string.Join('+', new[] { LookM ? LookMEviction : null, Codec, Lossless }.Where(p => p is not null));

    /// <summary>Parses a spec such as <c>kivi</c>, <c>lookm+kivi</c> or <c>none-f16+lz4</c> (case-insensitive); <c>lookm</c> alone is <c>lookm+none</c>.</summary>
    public static KvCodecSpec Parse(string text) =>
        TryParse(text, out var spec, out var error) ? spec : throw new FormatException(error);

    public static bool TryParse(string? text, out KvCodecSpec spec, out string error)
    {
        spec = Default;
        var parts = (text ?? "").Trim().ToLowerInvariant().Split('+', StringSplitOptions.TrimEntries);
        var lookM = parts[0] == LookMEviction;
        var rest = lookM ? parts[1..] : parts;
        var codec = rest.Length == 0 ? None : rest[0];
        var lossless = rest.Length > 1 ? rest[1] : null;
        error = "";
        if (!Codecs.Contains(codec) || rest.Length > 2 || (lossless is not null && lossless != Lz4))
        {
            error = $"'{text}' is not a KV codec: expected [lookm+]{string.Join('|', Codecs)}[+lz4].";
            return false;
        }

        if (lookM && codec == ZipCache)
        {
            error = "lookm composes with none, none-f16 or kivi: ZipCache ranks the tokens LOOK-M has already merged.";
            return false;
        }

        spec = new KvCodecSpec(codec, lookM, lossless);
        return true;
    }
}
