using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace EpdCluster.Engine.Text;

/// <summary>
/// GPT-2 byte-level BPE plus the chat and image control tokens, with fixed ids. Thread-safe: share
/// <see cref="Shared"/>.
/// </summary>
/// <remarks>
/// Text is only ever encoded as plain text: control tokens enter a prompt as ids, placed by
/// <see cref="ChatTemplate"/>, so a user who types "&lt;|im_start|&gt;" gets ordinary BPE tokens.
/// <see cref="Decode"/> and <see cref="StreamingDetokenizer"/> skip every special token, so generated text
/// never carries control markup.
/// </remarks>
public sealed partial class EpdTokenizer
{
    /// <summary>GPT-2's own end-of-text token, the id right after its 50,256 BPE tokens.</summary>
    public const int EndOfTextId = 50256;

    /// <summary>ChatML's turn opener, <c>&lt;|im_start|&gt;</c>.</summary>
    public const int ImStartId = 50257;

    /// <summary>ChatML's turn closer, <c>&lt;|im_end|&gt;</c>.</summary>
    public const int ImEndId = 50258;

    /// <summary>One image placeholder position, <c>&lt;image&gt;</c>; the encoder's embeddings replace these.</summary>
    public const int ImageId = 50259;

    private const int FirstSpecialId = EndOfTextId;
    private const int TokenCount = ImageId + 1;

    // GPT-2's pre-tokenization split (tiktoken's r50k_base pattern, as Microsoft.ML.Tokenizers writes it for
    // "gpt2"), repeated here because the library's instance also splits out <|endoftext|> as special.
    private const string Gpt2SplitPattern =
        @"'(?:[sdmt]|ll|ve|re)| ?(?>\p{L}+)| ?(?>\p{N}+)| ?(?>[^\s\p{L}\p{N}]+)|(?>\s+)$|\s+(?!\S)|\s";

    private static readonly Lazy<EpdTokenizer> SharedInstance = new(() => new EpdTokenizer(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly TiktokenTokenizer _plainText;
    private readonly byte[][] _tokenBytes;

    private EpdTokenizer()
    {
        var rankFile = Gpt2RankFile.Load();
        if (rankFile.TokenBytes.Length != FirstSpecialId)
        {
            throw new InvalidOperationException(
                $"The GPT-2 rank file has {rankFile.TokenBytes.Length} tokens; expected {FirstSpecialId}, so the special ids would be wrong.");
        }

        _tokenBytes = rankFile.TokenBytes;

        // No special tokens: the library then has nothing to map "<|endoftext|>" text to but BPE tokens.
        using var vocabulary = new MemoryStream(rankFile.Contents, writable: false);
        _plainText = TiktokenTokenizer.Create(
            vocabulary,
            new RegexPreTokenizer(Gpt2Split(), specialTokens: null),
            normalizer: null,
            specialTokens: null);
    }

    /// <summary>The process-wide instance; built on first use (reads the embedded GPT-2 ranks, ~50k entries).</summary>
    public static EpdTokenizer Shared => SharedInstance.Value;

    /// <summary>Ids in use: GPT-2's 50,257 plus the three added tokens. The model pads its embedding table itself.</summary>
    public int VocabularySize => TokenCount;

    /// <summary>Encodes <paramref name="text"/> as plain text; never yields a special id whatever the text says.</summary>
    public int[] EncodeText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length == 0 ? [] : [.. _plainText.EncodeToIds(text)];
    }

    /// <summary>Decodes ids to text, skipping special tokens; bytes that are not valid UTF-8 become U+FFFD.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            bytes.AddRange(TokenBytes(id));
        }

        return Encoding.UTF8.GetString(CollectionsMarshal.AsSpan(bytes));
    }

    /// <summary>Whether <paramref name="id"/> is a control token (end of text, im_start, im_end, image).</summary>
    public bool IsSpecial(int id)
    {
        ThrowIfOutOfVocabulary(id);
        return id >= FirstSpecialId;
    }

    /// <summary>
    /// The raw bytes of a BPE token (often part of a UTF-8 character); empty for special tokens, which
    /// produce no text.
    /// </summary>
    public ReadOnlySpan<byte> TokenBytes(int id)
    {
        ThrowIfOutOfVocabulary(id);
        return id >= FirstSpecialId ? [] : _tokenBytes[id];
    }

    [GeneratedRegex(Gpt2SplitPattern)]
    private static partial Regex Gpt2Split();

    private static void ThrowIfOutOfVocabulary(int id)
    {
        if ((uint)id >= TokenCount)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Token id {id} is outside the vocabulary [0, {TokenCount}).");
        }
    }
}
