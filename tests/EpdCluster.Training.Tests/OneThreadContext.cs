using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace EpdCluster.Training.Tests;

/// <summary>Runs async work on one thread of its own: every continuation comes back to that thread.</summary>
internal sealed class OneThreadContext : SynchronizationContext, IDisposable
{
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = [];

    public override void Post(SendOrPostCallback d, object? state) => _queue.Add((d, state));

    public void Dispose() => _queue.Dispose();

    /// <summary>Runs <paramref name="work"/> on a new thread that first computes with <paramref name="threadCount"/> libtorch threads.</summary>
    public static void Run(int threadCount, Func<CancellationToken, Task> work)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                set_num_threads(threadCount);
                using (var scope = NewDisposeScope())
                {
                    randn(64, 64).matmul(randn(64, 64));
                }

                using var context = new OneThreadContext();
                SetSynchronizationContext(context);
                var task = work(CancellationToken.None);
                task.ContinueWith(_ => context._queue.CompleteAdding(), TaskScheduler.Default);
                foreach (var (callback, state) in context._queue.GetConsumingEnumerable())
                {
                    callback(state);
                }

                task.GetAwaiter().GetResult();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException("the work failed on its thread", failure);
        }
    }
}
