using System.Text;

namespace EpdCluster.LoadTests.Workloads;

/// <summary>
/// Prompt text of a chosen length in tokens. Every word below, with its leading space, is a single token in GPT-2's
/// byte-level BPE (the engine's tokenizer), so N words are about N prompt tokens; the server's <c>usage</c> gives the exact count.
/// </summary>
internal static class PromptText
{
    private static readonly string[] Vocabulary =
    [
        "the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not", "he", "this",
        "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they", "you", "were", "their", "one", "all",
        "we", "can", "her", "has", "there", "been", "if", "more", "when", "will", "would", "who", "so", "no", "out", "up",
        "into", "do", "time", "only", "new", "some", "could", "these", "two", "may", "first", "then", "any", "like", "other",
        "my", "than", "what", "over", "also", "after", "see", "most", "made", "way", "many", "before", "must", "through",
        "back", "years", "where", "much", "your", "well", "down", "should", "because", "each", "just", "those",
        "people", "how", "too", "little", "state", "good", "very", "make", "world", "still", "own", "men", "work", "long",
        "get", "here", "between", "both", "life", "being", "under", "never", "day", "same", "another", "know", "while",
        "last", "might", "us", "great", "old", "year", "off", "come", "since", "against", "go", "came", "right", "used",
        "take", "three", "house", "small", "water", "light", "color", "image", "picture", "red", "blue", "green", "left",
        "top", "bottom", "circle", "line", "shape", "large", "open", "city", "road", "tree", "sky", "car", "door", "table",
    ];

    /// <summary>Appends <paramref name="tokens"/> words drawn from <paramref name="random"/>.</summary>
    public static void AppendWords(StringBuilder text, Random random, int tokens)
    {
        for (var i = 0; i < tokens; i++)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(Vocabulary[random.Next(Vocabulary.Length)]);
        }
    }

    public static string Words(Random random, int tokens)
    {
        var text = new StringBuilder(tokens * 6);
        AppendWords(text, random, tokens);
        return text.ToString();
    }
}
