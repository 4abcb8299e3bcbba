using EpdCluster.LoadTests.Configuration;
using Spectre.Console;

namespace EpdCluster.LoadTests.Running;

/// <summary>Shows a running step: a live Spectre.Console bar on a terminal, a plain line every few seconds otherwise.</summary>
internal sealed class ProgressDisplay(IAnsiConsole console, ReportOptions options)
{
    /// <summary>Four redraws a second: smooth enough to watch, cheap beside the load itself.</summary>
    private static readonly TimeSpan LiveRefresh = TimeSpan.FromMilliseconds(250);

    public ProgressMode EffectiveMode => options.Progress switch
    {
        ProgressMode.Auto => console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi && !Console.IsOutputRedirected
            ? ProgressMode.Live
            : ProgressMode.Plain,
        var mode => mode,
    };

    public async Task<T> TrackAsync<T>(StepProgress progress, Func<Task<T>> work)
    {
        switch (EffectiveMode)
        {
            case ProgressMode.None:
                return await work();
            case ProgressMode.Plain:
                var task = work();
                while (!task.IsCompleted)
                {
                    await Task.WhenAny(task, Task.Delay(options.PlainProgressInterval));
                    if (!task.IsCompleted)
                    {
                        console.WriteLine(progress.Line());
                    }
                }

                console.WriteLine(progress.Line());
                return await task;
            default:
                return await TrackLiveAsync(progress, work);
        }
    }

    private async Task<T> TrackLiveAsync<T>(StepProgress progress, Func<Task<T>> work)
    {
        T result = default!;
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var bar = context.AddTask(Markup.Escape(progress.Name));
                var task = work();
                while (!task.IsCompleted)
                {
                    Update(bar, progress);
                    await Task.WhenAny(task, Task.Delay(LiveRefresh));
                }

                Update(bar, progress);
                bar.Value = bar.MaxValue;
                bar.StopTask();
                result = await task;
            });
        return result;
    }

    private static void Update(ProgressTask bar, StepProgress progress)
    {
        bar.MaxValue = Math.Max(1, progress.ExpectedRequests);
        bar.Value = progress.Completed + progress.Failed;
        bar.Description = Markup.Escape(FormattableString.Invariant(
            $"{progress.Name}: {progress.Completed + progress.Failed}/{progress.ExpectedRequests}, {progress.Failed} failed, {progress.InFlight} in flight"));
    }
}
