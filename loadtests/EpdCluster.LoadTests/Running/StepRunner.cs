using System.Collections.Concurrent;
using System.Diagnostics;
using EpdCluster.LoadTests.Arrivals;
using EpdCluster.LoadTests.Client;
using EpdCluster.LoadTests.Configuration;
using EpdCluster.LoadTests.Workloads;

namespace EpdCluster.LoadTests.Running;

/// <summary>
/// Runs one step: issues arrivals on schedule (from the rate, or the workload's timestamps), caps requests in flight like
/// vLLM's <c>--max-concurrency</c> (an arrival waits for a slot; its timing starts when it is sent), and ends by itself:
/// after at most the request limit, at the step's duration, and in any case at <c>MaxStepDuration</c>.
/// </summary>
internal sealed class StepRunner(ChatCompletionClient client, TargetOptions target)
{
    public async Task<StepExecution> RunAsync(TrafficOptions traffic, IWorkload workload, Random arrivalRandom, StepProgress progress, CancellationToken cancellation)
    {
        var useTimestamps = traffic.RequestRate is null && traffic.RampUp is null && workload.HasTimestamps;
        var rateOffsets = useTimestamps ? null : ArrivalSchedule.FromRate(traffic, arrivalRandom);
        var limit = rateOffsets?.Length ?? traffic.RequestLimit;
        var durationSeconds = traffic.Duration?.TotalSeconds ?? double.PositiveInfinity;
        progress.ExpectedRequests = limit;

        using var stepLimit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        stepLimit.CancelAfter(traffic.MaxStepDuration);
        using var slots = traffic.MaxConcurrency is { } max ? new SemaphoreSlim(max, max) : null;
        var outcomes = new ConcurrentBag<RequestOutcome>();
        var tasks = new List<Task>();
        var peak = 0;
        var notSent = 0;
        var startedAt = DateTimeOffset.UtcNow;
        var start = Stopwatch.GetTimestamp();
        double? firstTimestamp = null;

        for (var i = 0; i < limit && !stepLimit.IsCancellationRequested; i++)
        {
            if (workload.Peek() is not { } request)
            {
                break;
            }

            double offset;
            if (rateOffsets is not null)
            {
                offset = rateOffsets[i];
            }
            else
            {
                firstTimestamp ??= request.TimestampSeconds ?? 0;
                offset = ((request.TimestampSeconds ?? 0) - firstTimestamp.Value) / traffic.TimestampSpeedup;
                if (offset > durationSeconds)
                {
                    break; // left in the workload for the next step
                }
            }

            workload.Next();

            var wait = TimeSpan.FromSeconds(offset) - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, stepLimit.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            tasks.Add(Task.Run(async () =>
            {
                if (slots is not null)
                {
                    try
                    {
                        await slots.WaitAsync(stepLimit.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        Interlocked.Increment(ref notSent);
                        return;
                    }
                }

                try
                {
                    // Built before the clock starts: encoding images is the client's cost, not the server's latency.
                    var body = ChatRequestBody.Build(request, target);
                    var inFlight = progress.OnSent();
                    UpdateMax(ref peak, inFlight);
                    var outcome = await client.SendAsync(request.Index, body, request.Images.Count, request.MaxTokens, start, stepLimit.Token);
                    outcomes.Add(outcome);
                    progress.OnFinished(outcome.Success, outcome.OutputTokens);
                }
                finally
                {
                    slots?.Release();
                }
            }, CancellationToken.None));
        }

        await Task.WhenAll(tasks);
        var duration = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var ordered = outcomes.OrderBy(o => o.Index).ToList();
        return new StepExecution
        {
            StartedAt = startedAt,
            Outcomes = ordered,
            DurationSeconds = ordered.Count == 0 ? duration : ordered.Max(o => o.CompletionOffsetSeconds),
            PeakConcurrency = peak,
            NotSent = notSent,
            TimeLimitReached = stepLimit.IsCancellationRequested && !cancellation.IsCancellationRequested,
        };
    }

    private static void UpdateMax(ref int max, int value)
    {
        var current = Volatile.Read(ref max);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref max, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
