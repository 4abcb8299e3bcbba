using System.Runtime.CompilerServices;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Text;

namespace EpdCluster.Gateway.Serving;

/// <summary>
/// Turns a backend's token stream into text deltas: complete UTF-8 characters only, text that might begin a
/// stop string held back, and the text cut before a stop string, which also aborts the backend request so no
/// token is generated in vain. Only non-empty deltas are yielded, then exactly one last delta with the finish
/// reason.
/// </summary>
internal static class TextGeneration
{
    public static async IAsyncEnumerable<TextDelta> RunAsync(
        IGenerationBackend backend,
        GenerationInput input,
        IReadOnlyList<string> stopStrings,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var detokenizer = new StreamingDetokenizer(EpdTokenizer.Shared);
        var stops = new StopStringMatcher(stopStrings);
        using var generation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var generated = 0;
        await foreach (var token in backend.GenerateAsync(input, generation.Token))
        {
            if (token.Finish == FinishReason.Abort)
            {
                // Ours (the client left) or the backend's own (shutdown): either way there is no answer.
                cancellationToken.ThrowIfCancellationRequested();
                throw new BackendUnavailableException(BackendUnavailableException.AbortedCode, "The request was aborted by the server before it finished; retry it.");
            }

            generated++;
            var text = detokenizer.Push(token.TokenId);
            if (token.Finish is { } finish)
            {
                var last = stops.Push(text + detokenizer.Flush());
                if (last.Stopped)
                {
                    yield return new TextDelta(last.Text, TextDelta.Stop, generated);
                }
                else
                {
                    yield return new TextDelta(last.Text + stops.Flush(), finish == FinishReason.Length ? TextDelta.Length : TextDelta.Stop, generated);
                }

                yield break;
            }

            var match = stops.Push(text);
            if (match.Stopped)
            {
                await generation.CancelAsync();
                yield return new TextDelta(match.Text, TextDelta.Stop, generated);
                yield break;
            }

            if (match.Text.Length > 0)
            {
                yield return new TextDelta(match.Text, null, generated);
            }
        }

        throw new InvalidOperationException($"The backend's stream for {input.RequestId} ended without a finish reason.");
    }
}
