namespace EpdCluster.Engine.Text;

/// <summary>
/// Finds the caller's stop strings in one sequence's streamed text, however the text is chunked, and
/// holds back only what could still turn out to be the start of one. One per sequence; not thread-safe.
/// </summary>
/// <remarks>
/// When several stop strings occur, the one that is complete first in the text wins (the end of the
/// matched text is earliest; on a tie, the longer one): exactly where generation would have stopped
/// had the text arrived one character at a time, so the result never depends on chunking.
/// </remarks>
public sealed class StopStringMatcher
{
    /// <summary>The most stop strings a request may give; the OpenAI API's limit for <c>stop</c>.</summary>
    public const int MaxStopStrings = 4;

    private readonly string[] _stopStrings;
    private readonly int _longestStopLength;
    private string _held = string.Empty;
    private bool _stopped;

    public StopStringMatcher(IEnumerable<string> stopStrings)
    {
        ArgumentNullException.ThrowIfNull(stopStrings);
        _stopStrings = [.. stopStrings];
        if (_stopStrings.Length > MaxStopStrings)
        {
            throw new ArgumentException(
                $"{_stopStrings.Length} stop strings given; at most {MaxStopStrings} are allowed.", nameof(stopStrings));
        }

        if (_stopStrings.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("A stop string must not be null or empty.", nameof(stopStrings));
        }

        _longestStopLength = _stopStrings.Length == 0 ? 0 : _stopStrings.Max(s => s.Length);
    }

    /// <summary>
    /// Adds newly generated text; returns the text safe to emit now and whether a stop string was hit.
    /// </summary>
    /// <exception cref="InvalidOperationException">A stop string was already hit: the sequence is over.</exception>
    public StopMatch Push(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_stopped)
        {
            throw new InvalidOperationException("A stop string was already matched; the sequence has ended.");
        }

        // _held never contains a whole stop string, so any match ends inside the new text.
        var window = _held + text;
        if (FirstCompleted(window) is var (start, stopString))
        {
            _stopped = true;
            _held = string.Empty;
            return new StopMatch(window[..start], stopString);
        }

        var holdLength = LongestSuffixStartingAStopString(window);
        _held = window[^holdLength..];
        return new StopMatch(window[..^holdLength], StopString: null);
    }

    /// <summary>Ends the sequence without a stop: returns the text still held back (empty after a stop).</summary>
    public string Flush()
    {
        var held = _held;
        _held = string.Empty;
        return held;
    }

    private (int Start, string StopString)? FirstCompleted(string window)
    {
        (int Start, string StopString)? best = null;
        var bestEnd = int.MaxValue;
        foreach (var stop in _stopStrings)
        {
            var start = window.IndexOf(stop, StringComparison.Ordinal);
            if (start < 0)
            {
                continue;
            }

            var end = start + stop.Length;
            if (end < bestEnd || (end == bestEnd && start < best!.Value.Start))
            {
                best = (start, stop);
                bestEnd = end;
            }
        }

        return best;
    }

    private int LongestSuffixStartingAStopString(string window)
    {
        // A whole stop string would already have matched, so the longest useful suffix is one char shorter.
        for (var length = Math.Min(window.Length, _longestStopLength - 1); length > 0; length--)
        {
            var suffix = window.AsSpan(window.Length - length);
            foreach (var stop in _stopStrings)
            {
                if (stop.AsSpan().StartsWith(suffix, StringComparison.Ordinal))
                {
                    return length;
                }
            }
        }

        return 0;
    }
}
