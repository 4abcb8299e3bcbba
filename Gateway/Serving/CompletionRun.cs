using System.Runtime.CompilerServices;
using EpdCluster.Gateway.OpenAi;
using EpdCluster.Gateway.Telemetry;

namespace EpdCluster.Gateway.Serving;

/// <summary>
/// An admitted request whose first delta has arrived: from here on the response is a success (200), and a
/// later failure can only be reported inside the stream. Owns the admission slot and the backend stream.
/// </summary>
internal sealed class CompletionRun(
    string id,
    long createdUnixSeconds,
    int promptTokens,
    int imageTokens,
    GenerationReport report,
    RequestTelemetry telemetry,
    IAsyncEnumerator<TextDelta> deltas,
    AdmissionLease lease) : IAsyncDisposable
{
    private int _disposed;

    public string Id { get; } = id;

    public long Created { get; } = createdUnixSeconds;

    /// <summary>Prompt tokens, image placeholder tokens included (usage's <c>prompt_tokens</c>).</summary>
    public int PromptTokens { get; } = promptTokens;

    /// <summary>Prompt tokens served from a cache (usage's <c>prompt_tokens_details.cached_tokens</c>).</summary>
    public int CachedPromptTokens => report.CachedPromptTokens;

    /// <summary>
    /// The deltas, starting with the one already read; backend failures come out as <see cref="OpenAiException"/>.
    /// Enumerate once.
    /// </summary>
    public async IAsyncEnumerable<TextDelta> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return Observe(deltas.Current);
        while (!deltas.Current.IsLast)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (!await deltas.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (Exception e) when (BackendErrors.Translate(e) is { } error)
            {
                throw error;
            }

            yield return Observe(deltas.Current);
        }
    }

    /// <summary>Reads the whole completion: its text, finish reason and completion token count.</summary>
    public async Task<TextDelta> CollectAsync(CancellationToken cancellationToken)
    {
        var text = new System.Text.StringBuilder();
        TextDelta last = default;
        await foreach (var delta in ReadAllAsync(cancellationToken))
        {
            text.Append(delta.Text);
            last = delta;
        }

        return last with { Text = text.ToString() };
    }

    /// <summary>The last delta completes the request's telemetry, with the same counts its usage reports.</summary>
    private TextDelta Observe(TextDelta delta)
    {
        if (delta.IsLast)
        {
            telemetry.Completed(new RequestTokens(PromptTokens, imageTokens, CachedPromptTokens, delta.CompletionTokens));
        }

        return delta;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try
            {
                await deltas.DisposeAsync();
            }
            finally
            {
                lease.Dispose();
            }
        }
    }
}
