using EpdCluster.Simulation.Profiles;
using EpdCluster.Simulation.Simulation;
using EpdCluster.Simulation.Workloads;

namespace EpdCluster.Simulation.Tests;

public sealed class ClusterSimulatorTests
{
    private static readonly Slo Loose = new(100, 100);

    [Fact]
    public void One_request_takes_exactly_its_encode_prefill_transfer_and_decode_steps()
    {
        var profile = new EngineProfile
        {
            TokensPerTile = 16,
            EncodeStepSeconds = [[1, 0.1]],
            PrefillStepSeconds = [[1, 0.01]],
            DecodeStepSeconds = [[1, 0.05]],
            KvBytesPerToken = 1000,
            KvTransferBytesPerSecond = 52_000, // 52 prompt tokens: 1 s of transfer
            KvTransferLatencySeconds = 0.1,
        };

        var result = ClusterSimulator.Run(profile, ClusterLayout.Split(1, 1, 1), [new SimRequest(0, 1.0, TextTokens: 20, Tiles: 2, OutputTokens: 5)], Loose);

        var outcome = Assert.Single(result.Outcomes);
        Assert.Equal(0.2 + 0.52, outcome.TtftSeconds, 9); // 2 tiles in one encoder step, 52 tokens in one prefill step
        Assert.Equal(1.0 + 0.72 + 1.1 + (4 * 0.05), outcome.FinishSeconds, 9); // transfer, then 4 decode steps
        Assert.Equal((1.1 + 0.2) / 4, outcome.TpotSeconds, 9);
    }

    [Fact]
    public void Every_request_finishes_and_frees_its_kv_in_every_layout()
    {
        var requests = Workloads.OneImage(outputTokens: 30).Generate(200, rate: 2, seed: 3);
        foreach (var layout in new[] { ClusterLayout.Split(2, 1, 1), ClusterLayout.Split(1, 2, 3), ClusterLayout.AllAggregated(4) })
        {
            var simulator = new ClusterSimulator(Profiles.Linear(), layout, requests);
            simulator.RunUntil(double.PositiveInfinity);

            Assert.All(simulator.Outcomes, o => Assert.True(o.Finished, $"{layout}: request {o.Id} did not finish"));
            Assert.All(simulator.Workers, w => Assert.Equal(w.TotalBlocks, w.FreeBlocks));
        }
    }

    [Fact]
    public void An_aggregated_worker_stalls_decoding_for_other_requests_encode_and_prefill_steps()
    {
        // Request 1 arrives while request 0 decodes. On one aggregated worker, its 1 s encode step and 0.5 s prefill
        // step come between request 0's decode steps; split over three workers, request 0 decodes undisturbed.
        SimRequest[] requests = [new(0, 0, 100, 5, 40), new(1, 2, 100, 5, 40)];
        var split = ClusterSimulator.Run(Profiles.Linear(), ClusterLayout.Split(1, 1, 1), requests, Loose);
        var aggregated = ClusterSimulator.Run(Profiles.Linear(), ClusterLayout.AllAggregated(1), requests, Loose);

        Assert.Equal(0.05, split.Outcomes[0].TpotSeconds, 9);
        Assert.True(aggregated.Outcomes[0].TpotSeconds > split.Outcomes[0].TpotSeconds + (1.4 / 39), $"aggregated TPOT {aggregated.Outcomes[0].TpotSeconds:0.000} s");
    }

    [Fact]
    public void A_decode_worker_switched_mid_run_moves_its_sequences_and_then_serves_its_new_role()
    {
        var requests = Workloads.OneImage(outputTokens: 200).Generate(60, rate: 1.5, seed: 9);
        var simulator = new ClusterSimulator(Profiles.Linear(decodeSecondsPerSequence: 0.01), ClusterLayout.Split(1, 1, 2), requests);
        double? switchedAt = null;
        simulator.RunUntil(15);
        Assert.True(simulator.Workers[3].DecodeSequences > 0, "decode worker 3 has sequences to move");

        simulator.SwitchRole(3, StageRole.Prefill, at => switchedAt = at);
        Assert.True(simulator.Workers[3].Draining);
        simulator.RunUntil(double.PositiveInfinity);

        Assert.NotNull(switchedAt);
        Assert.True(switchedAt < 16, $"the switch took until {switchedAt:0.00} s");
        Assert.True(simulator.MovedSequences > 0);
        Assert.Equal(StageRole.Prefill, simulator.Workers[3].Role);
        Assert.All(simulator.Outcomes, o => Assert.True(o.Finished));
        Assert.All(simulator.Workers, w => Assert.Equal(w.TotalBlocks, w.FreeBlocks));
    }

    [Fact]
    public void A_run_told_its_miss_budget_stops_once_it_is_spent_and_a_run_within_it_is_unchanged()
    {
        var slo = new Slo(TtftSeconds: 5, TpotSeconds: 1);
        var overloaded = Workloads.OneImage().Generate(400, rate: 8, seed: 2); // one encoder serves 1 req/s
        var light = Workloads.OneImage().Generate(400, rate: 0.5, seed: 2);

        var stopped = new ClusterSimulator(Profiles.Linear(), ClusterLayout.Split(1, 1, 1), overloaded);
        stopped.StopAfterMisses(slo, misses: 40);
        stopped.RunUntil(double.PositiveInfinity);
        var within = new ClusterSimulator(Profiles.Linear(), ClusterLayout.Split(1, 1, 1), light);
        within.StopAfterMisses(slo, misses: 40);
        within.RunUntil(double.PositiveInfinity);

        Assert.True(stopped.Outcomes.Count(o => o.Finished) < 100, "the overloaded run went on after 40 misses");
        Assert.True(new SimulationResult(stopped.Outcomes, slo).Attainment < 0.9);
        Assert.Equal(ClusterSimulator.Run(Profiles.Linear(), ClusterLayout.Split(1, 1, 1), light, slo).Outcomes, within.Outcomes);
    }
}
