using System.Diagnostics;
using System.Security.Cryptography;
using EpdCluster.Gateway.Hosting;
using EpdCluster.Gateway.OpenAi;
using EpdCluster.Gateway.Telemetry;

namespace EpdCluster.Gateway.Serving;

/// <summary>
/// The steps every completion takes after validation: backend readiness (503), admission (429), prompt building
/// (images, template, context; 400), then the backend up to the first delta, so that errors the backend raises
/// before any text still get their own status instead of a broken stream.
/// </summary>
internal sealed partial class CompletionPipeline(
    IGenerationBackend backend,
    AdmissionController admission,
    GatewayLimits limits,
    TimeProvider time,
    GatewayMetrics metrics,
    ILogger<CompletionPipeline> logger)
{
    /// <summary>96 random bits per response id: collisions are negligible.</summary>
    private const int IdRandomBytes = 12;

    /// <summary>
    /// Starts the request. The returned run is disposed with the response (freeing its admission slot and
    /// aborting the backend if it is still generating); <c>RequestAborted</c> aborts it when the client leaves.
    /// </summary>
    /// <param name="idPrefix"><c>chatcmpl-</c> or <c>cmpl-</c>.</param>
    /// <param name="build">Builds the backend input for the new response id; may throw <see cref="OpenAiException"/>.</param>
    public async Task<CompletionRun> StartAsync(HttpContext http, string idPrefix, GenerationSettings settings, Func<string, GenerationInput> build)
    {
        var cancellationToken = http.RequestAborted;

        // Started on arrival by RequestTelemetryMiddleware; a host without it still times the request from here.
        var telemetry = http.Features.Get<RequestTelemetry>() ?? new RequestTelemetry(metrics, http.TraceIdentifier, Stopwatch.GetTimestamp());
        var status = await backend.GetStatusAsync(cancellationToken);
        if (!status.IsReady)
        {
            LogBackendNotReady(logger, status.Code);
            throw OpenAiErrors.Unavailable(status.Message ?? "The backend is not ready.", status.Code ?? BackendUnavailableException.NoWorkersCode);
        }

        var waitStarted = Stopwatch.GetTimestamp();
        var lease = await admission.TryEnterAsync(cancellationToken);
        if (lease is null)
        {
            LogQueueFull(logger, limits.MaxRunningRequests, limits.MaxQueuedRequests);
            throw OpenAiErrors.QueueFull(limits.MaxRunningRequests, limits.MaxQueuedRequests, limits.RetryAfterSeconds);
        }

        telemetry.Admitted(Stopwatch.GetElapsedTime(waitStarted));

        IAsyncEnumerator<TextDelta>? deltas = null;
        try
        {
            var id = idPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdRandomBytes));
            var created = time.GetUtcNow().ToUnixTimeSeconds();
            var input = build(id);
            deltas = TextGeneration.RunAsync(new TokenTimingBackend(backend, telemetry), input, settings.StopStrings, cancellationToken).GetAsyncEnumerator(cancellationToken);
            bool started;
            try
            {
                started = await deltas.MoveNextAsync();
            }
            catch (Exception e) when (BackendErrors.Translate(e) is { } error)
            {
                LogRefused(logger, id, error.StatusCode, error.Error.Code);
                throw error;
            }

            if (!started)
            {
                throw new InvalidOperationException($"The text stream of {id} ended before its last delta.");
            }

            var imageTokens = input.Prompt.ImageSpans.Sum(span => span.TokenCount);
            var run = new CompletionRun(id, created, input.Prompt.Ids.Length, imageTokens, input.Report, telemetry, deltas, lease);
            http.Response.RegisterForDisposeAsync(run);
            LogStarted(logger, id, input.Prompt.Ids.Length, input.Images.Count, input.Sampling.MaxTokens);
            return run;
        }
        catch
        {
            if (deltas is not null)
            {
                await deltas.DisposeAsync();
            }

            lease.Dispose();
            throw;
        }
    }
}
