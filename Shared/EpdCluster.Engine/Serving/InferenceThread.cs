using System.Collections.Concurrent;
using EpdCluster.Engine.Torch;

namespace EpdCluster.Engine.Serving;

/// <summary>
/// The one thread a worker runs tensor work on. Callers never compute on their own threads: they enqueue
/// work into a stage and call <see cref="Wake"/>; the thread round-robins over its stages, one step each,
/// and sleeps when none has work.
/// </summary>
public sealed class InferenceThread : IDisposable
{
    private readonly IReadOnlyList<IInferenceStage> _stages;
    private readonly ConcurrentQueue<Action> _actions = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _torchThreads;
    private volatile bool _stopping;

    public InferenceThread(string name, IReadOnlyList<IInferenceStage> stages, int torchThreads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(torchThreads);
        _stages = stages;
        _torchThreads = torchThreads;
        _thread = new Thread(Run) { Name = name, IsBackground = true };
        _thread.Start();
    }

    /// <summary>Set when the thread has failed; every later call reports it.</summary>
    public Exception? Failure { get; private set; }

    public bool IsCurrentThread => Thread.CurrentThread == _thread;

    /// <summary>Tells the thread there is work.</summary>
    public void Wake()
    {
        if (_signal.CurrentCount == 0)
        {
            _signal.Release();
        }
    }

    /// <summary>Runs <paramref name="action"/> on the inference thread before its next step.</summary>
    public void Post(Action action)
    {
        if (Failure is not null)
        {
            throw new InvalidOperationException("The inference thread has failed: " + Failure.Message, Failure);
        }

        ObjectDisposedException.ThrowIf(_stopping, this);
        _actions.Enqueue(action);
        Wake();
    }

    /// <summary>Runs <paramref name="func"/> on the inference thread and returns its result.</summary>
    public Task<T> InvokeAsync<T>(Func<T> func)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try
            {
                completion.SetResult(func());
            }
            catch (Exception e)
            {
                completion.SetException(e);
            }
        });
        return completion.Task;
    }

    private void Run()
    {
        try
        {
            TorchRuntime.UseThreads(_torchThreads); // libtorch's count is per thread: set it on the one that computes
            while (!_stopping)
            {
                while (_actions.TryDequeue(out var action))
                {
                    action();
                }

                var worked = false;
                foreach (var stage in _stages)
                {
                    worked |= stage.RunStep();
                }

                if (!worked && _actions.IsEmpty)
                {
                    _signal.Wait(TimeSpan.FromMilliseconds(100));
                }
            }
        }
        catch (Exception e)
        {
            Failure = e;
            _stopping = true;
        }
        finally
        {
            while (_actions.TryDequeue(out var action))
            {
                action();
            }

            foreach (var stage in _stages)
            {
                stage.Shutdown();
            }

            _stopped.TrySetResult();
        }
    }

    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        Wake();
        if (!IsCurrentThread)
        {
            _stopped.Task.Wait(TimeSpan.FromSeconds(30));
        }

        _signal.Dispose();
    }
}
