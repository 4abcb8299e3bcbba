using EpdCluster.Abstractions;
using EpdCluster.Planner;
using EpdCluster.Runtime.Scheduling;
using EpdCluster.Simulation.Profiles;
using EpdCluster.Simulation.Simulation;
using EpdCluster.Simulation.Workloads;

namespace EpdCluster.Runtime.Tests;

/// <summary>
/// The scheduler's policy and SLO window driving a simulated cluster whose traffic turns image-heavy: the encoders
/// saturate, the policy moves a worker to encode, and attainment recovers — while the static split stays broken.
/// </summary>
public sealed class SimulatedRoleSwitchingTests
{
    private const double PhaseSeconds = 300;
    private const double Rate = 2.4;
    private static readonly Slo Slo = new(TtftSeconds: 5, TpotSeconds: 1);

    [Fact]
    public void Role_switching_recovers_attainment_after_traffic_turns_image_heavy()
    {
        // Per worker: 1 s of encoding per 5-tile image, 0.5 s of prefill per request, 0.5 s of decoding per request.
        // At 2.4 req/s two encoders are overloaded once every request has an image; three are not.
        var profile = new EngineProfile
        {
            KvBlocks = 100_000,
            KvBytesPerToken = 0,
            KvTransferLatencySeconds = 0,
            MaxBatchSize = 64,
            MaxBatchTokens = 4096,
            EncodeStepSeconds = [[1, 0.2]],
            PrefillStepSeconds = [[180, 0.5]],
            DecodeStepSeconds = [[1, 0.05]],
        };
        var textOnly = Workload(images: 0, textTokens: 180);
        var oneImage = Workload(images: 1, textTokens: 100);
        var first = textOnly.GenerateBetween(0, PhaseSeconds, Rate, seed: 1, firstId: 0);
        IReadOnlyList<SimRequest> requests = [.. first, .. oneImage.GenerateBetween(PhaseSeconds, 2 * PhaseSeconds, Rate, seed: 2, firstId: first.Count)];
        var scheduler = new SchedulerOptions { TtftSloSeconds = Slo.TtftSeconds, TpotSloSeconds = Slo.TpotSeconds };
        var run = new ScheduledRun(profile, scheduler);
        var settledFrom = PhaseSeconds + (2 * scheduler.Cooldown.TotalSeconds);

        var (fixedSplit, none) = run.Run(ClusterLayout.Split(2, 3, 3), requests, Slo, switching: false);
        var (switching, switches) = run.Run(ClusterLayout.Split(2, 3, 3), requests, Slo, switching: true);

        Assert.Empty(none);
        Assert.True(fixedSplit.Between(0, PhaseSeconds).Attainment >= 0.9);
        Assert.True(fixedSplit.Between(settledFrom, 2 * PhaseSeconds).Attainment < 0.5, $"static: {fixedSplit.Between(settledFrom, 2 * PhaseSeconds).Attainment:P0}");
        Assert.True(switching.Between(settledFrom, 2 * PhaseSeconds).Attainment >= 0.9, $"switching: {switching.Between(settledFrom, 2 * PhaseSeconds).Attainment:P0}");
        var moves = switches.Where(s => s.DecidedSeconds < settledFrom).ToList();
        Assert.InRange(moves.Count, 1, 2); // at most one per cooldown
        Assert.All(moves, move => Assert.Equal(WorkerRole.Encode, move.To));
        Assert.True(moves[0].DecidedSeconds > PhaseSeconds, "nothing moves while the text-only phase meets its SLOs");
        Assert.All(moves.Zip(moves.Skip(1)), pair => Assert.True(pair.Second.DecidedSeconds - pair.First.DoneSeconds >= scheduler.Cooldown.TotalSeconds));
    }

    private static WorkloadSpec Workload(int images, int textTokens) => new()
    {
        PromptTokens = IntDistribution.Fixed(textTokens),
        OutputTokens = IntDistribution.Fixed(11),
        ImagesPerRequest = IntDistribution.Fixed(images),
        TilesPerImage = IntDistribution.Fixed(5),
    };
}
