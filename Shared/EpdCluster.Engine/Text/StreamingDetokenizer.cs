using System.Text;

namespace EpdCluster.Engine.Text;

/// <summary>
/// Turns one sequence's generated ids into text as they arrive, emitting only complete characters.
/// One per sequence; not thread-safe.
/// </summary>
/// <remarks>
/// GPT-2's byte-level BPE splits emoji and CJK characters across tokens, so decoding each token alone
/// would emit U+FFFD halves. Token bytes go through one incremental UTF-8 decoder that keeps an
/// incomplete character's bytes until the rest arrive: each push costs only that token's bytes.
/// </remarks>
public sealed class StreamingDetokenizer
{
    private readonly EpdTokenizer _tokenizer;
    private readonly Decoder _utf8 = Encoding.UTF8.GetDecoder();
    private char[] _chars = [];

    public StreamingDetokenizer(EpdTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        _tokenizer = tokenizer;
    }

    /// <summary>
    /// Adds one generated id and returns the text it completes: possibly empty (a partial character is
    /// held back, or the id is a special token, which produces no text).
    /// </summary>
    public string Push(int tokenId) => DecodeAvailable(_tokenizer.TokenBytes(tokenId), flush: false);

    /// <summary>
    /// Ends the sequence: returns what is still held (an incomplete trailing character becomes U+FFFD) and
    /// resets, so the instance may start a new sequence.
    /// </summary>
    public string Flush() => DecodeAvailable([], flush: true);

    private string DecodeAvailable(ReadOnlySpan<byte> bytes, bool flush)
    {
        // GetCharCount leaves the decoder's state alone; GetChars then consumes the bytes, keeping any
        // incomplete character for the next call.
        var charCount = _utf8.GetCharCount(bytes, flush);
        if (_chars.Length < charCount)
        {
            _chars = new char[charCount];
        }

        var written = _utf8.GetChars(bytes, _chars, flush);
        return written == 0 ? string.Empty : new string(_chars, 0, written);
    }
}
