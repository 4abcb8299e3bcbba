using EpdCluster.Abstractions.Scheduling;
using EpdCluster.Runtime.Scheduling;

namespace EpdCluster.Runtime.Tests;

public sealed class SloWindowTests
{
    private static readonly DateTime Start = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Attainment_is_the_share_of_requests_within_each_slo_and_p90_is_the_nearest_rank()
    {
        var window = new SloWindow(new SchedulerOptions { TtftSloSeconds = 1, TpotSloSeconds = 0.05 });

        // Ten requests: TTFT 0.1 .. 1.0 s meet the 1 s SLO, except none; TPOT 0.01 .. 0.10 s, five within 0.05 s; one without TPOT.
        window.Add(Start, Enumerable.Range(1, 10).Select(i => new RequestSample(i * 0.1 + (i == 10 ? 0.5 : 0), i * 0.01, i * 0.02, i * 0.01)));
        window.Add(Start, [new RequestSample(0.2, 0, 0.1, null)]);
        var figures = window.Figures(Start);

        Assert.Equal(11, figures.Requests);
        Assert.Equal(10.0 / 11, figures.TtftAttainment, 6);
        Assert.Equal(10, figures.TpotRequests);
        Assert.Equal(0.5, figures.TpotAttainment, 6);
        Assert.Equal(0.09, figures.TpotP90Seconds, 6);
        Assert.Equal(0.9, figures.TtftP90Seconds, 6);
        Assert.Equal(0.18, figures.PrefillP90Seconds, 6);
    }

    [Fact]
    public void Samples_older_than_the_window_drop_out_and_an_empty_window_misses_nothing()
    {
        var window = new SloWindow(new SchedulerOptions { Window = TimeSpan.FromSeconds(30), TtftSloSeconds = 1 });
        window.Add(Start, [new RequestSample(5, 0, 5, null)]);
        window.Add(Start.AddSeconds(20), [new RequestSample(0.5, 0, 0.5, 0.01)]);

        Assert.Equal(0.5, window.Figures(Start.AddSeconds(25)).TtftAttainment);
        Assert.Equal(1, window.Figures(Start.AddSeconds(30)).TtftAttainment);
        Assert.Equal(WindowFigures.Empty, window.Figures(Start.AddSeconds(50)));
    }
}
