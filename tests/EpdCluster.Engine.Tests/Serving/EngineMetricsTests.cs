using EpdCluster.Engine.Imaging;
using EpdCluster.Engine.Kv;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Telemetry;
using EpdCluster.Engine.Tests.Model;
using EpdCluster.Engine.Text;
using EpdCluster.Testing;

namespace EpdCluster.Engine.Tests.Serving;

/// <summary>
/// What two engines report while one prefills (with an image) and hands its KV to the other, which decodes: step
/// kinds, batch sizes, reservations, leases that return to zero, load gauges — and lease expiries when a transfer
/// never comes.
/// </summary>
public sealed class EngineMetricsTests : IDisposable
{
    private readonly TestMeterFactory _meters = new();
    private readonly List<IDisposable> _owned = [];

    [Fact]
    public async Task A_prefill_and_decode_hand_off_reports_steps_reservations_and_leases()
    {
        using var recorder = new MetricsRecorder(_meters);
        var prefill = Engine("prefill-1");
        var decode = Engine("decode-1");
        var prompt = new PromptTokens([.. Enumerable.Range(10, 5), .. Enumerable.Repeat(1000, 32), .. Enumerable.Range(40, 6)], [new ImageSpan(0, 5, 32)]);
        var sampling = SamplingParams.Greedy(6) with { IgnoreStopTokens = true };

        var embeddings = await prefill.Encoder.EncodeTilesAsync(Pixels(2), 2);
        var first = await prefill.Llm.Submit(new GenerationRequest(7, prompt.Ids, [new PromptImage(5, 32, embeddings)], sampling) { PrefillOnly = true }).ReadAsync();
        var reservedBlocks = await decode.Llm.ReserveAsync(7, prompt.Ids.Length + 6);
        Assert.Equal(reservedBlocks, recorder.Sum("epd_kv_leased_blocks", (MetricLabels.Worker, "decode-1"), (MetricLabels.Lease, KvLeaseKind.Reserved)));
        Assert.Equal(3, recorder.Sum("epd_kv_leased_blocks", (MetricLabels.Worker, "prefill-1"), (MetricLabels.Lease, KvLeaseKind.Parked)));

        await decode.Llm.ImportAsync(7, await prefill.Llm.ExportParkedAsync(7));
        await prefill.Llm.ReleaseParkedAsync(7);
        var tokens = 0;
        await foreach (var _ in decode.Llm.SubmitPrefilled(new GenerationRequest(7, prompt.Ids, [], sampling), first.TokenId).ReadAllAsync())
        {
            tokens++;
        }

        Assert.Equal(5, tokens);

        // A step records its duration and refreshes the engine's stats after its tokens are written, so the stream
        // can end before the last step's numbers are in: wait for the stats refresh that follows the recording.
        await EngineSet.WaitUntil(() => decode.Llm.Stats.GeneratedTokens >= 5 && prefill.Llm.Stats.GeneratedTokens >= 1);
        Assert.Equal(1, recorder.Count("epd_step_duration", (MetricLabels.Worker, "prefill-1"), (MetricLabels.Stage, EngineStage.Encode)));
        Assert.Equal([2.0], recorder.Values("epd_step_batch_size", (MetricLabels.Worker, "prefill-1"), (MetricLabels.Stage, EngineStage.Encode)));
        Assert.Equal(1, recorder.Count("epd_step_duration", (MetricLabels.Worker, "prefill-1"), (MetricLabels.Stage, EngineStage.Prefill)));
        Assert.Equal(0, recorder.Count("epd_step_duration", (MetricLabels.Worker, "prefill-1"), (MetricLabels.Stage, EngineStage.Decode)));
        Assert.Equal(5, recorder.Count("epd_step_duration", (MetricLabels.Worker, "decode-1"), (MetricLabels.Stage, EngineStage.Decode)));
        Assert.Equal(0, recorder.Count("epd_step_duration", (MetricLabels.Worker, "decode-1"), (MetricLabels.Stage, EngineStage.Prefill)));
        Assert.All(recorder.Values("epd_step_duration"), seconds => Assert.InRange(seconds, 0, 60));

        Assert.Equal(1, recorder.Sum("epd_kv_reservations", (MetricLabels.Worker, "decode-1"), (MetricLabels.Result, "granted")));
        Assert.Equal(0, recorder.Sum("epd_kv_leased_blocks", (MetricLabels.Worker, "decode-1")));
        Assert.Equal(0, recorder.Sum("epd_kv_leased_blocks", (MetricLabels.Worker, "prefill-1")));
        Assert.Equal(0, recorder.Sum("epd_kv_lease_expiries"));

        Assert.Equal([1.0], recorder.Observe("epd_engine_generated_tokens", (MetricLabels.Worker, "prefill-1")));
        Assert.Equal([5.0], recorder.Observe("epd_engine_generated_tokens", (MetricLabels.Worker, "decode-1")));
        Assert.Equal([decode.Llm.Stats.TotalBlocks], recorder.Observe("epd_kv_cache_total_blocks", (MetricLabels.Worker, "decode-1")).Select(v => (int)v));
        Assert.Equal([0.0], recorder.Observe("epd_kv_cache_usage_perc", (MetricLabels.Worker, "decode-1")));
        Assert.Equal(2, recorder.Observe("epd_stage_queue_tokens", (MetricLabels.Worker, "decode-1")).Count);
    }

    [Fact]
    public async Task A_reservation_whose_transfer_never_comes_expires_and_is_counted()
    {
        using var recorder = new MetricsRecorder(_meters);
        var decode = Engine("decode-1", new EngineOptions { KvCacheBytes = 8L * 1024 * 1024, KvLease = TimeSpan.FromMilliseconds(100) });
        var blocks = await decode.Llm.ReserveAsync(9, 40);
        Assert.Equal(blocks, recorder.Sum("epd_kv_leased_blocks", (MetricLabels.Lease, KvLeaseKind.Reserved)));

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (recorder.Sum("epd_kv_lease_expiries", (MetricLabels.Lease, KvLeaseKind.Reserved)) == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(1, recorder.Sum("epd_kv_lease_expiries", (MetricLabels.Lease, KvLeaseKind.Reserved)));
        Assert.Equal(0, recorder.Sum("epd_kv_leased_blocks", (MetricLabels.Lease, KvLeaseKind.Reserved)));

        // Reserve whole contexts until the pool says no: that one is counted as refused.
        var granted = 0;
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            while (true)
            {
                await decode.Llm.ReserveAsync(100 + granted, decode.Llm.MaxModelLength);
                granted++;
            }
        });
        Assert.Equal(1 + granted, recorder.Sum("epd_kv_reservations", (MetricLabels.Result, "granted")));
        Assert.Equal(1, recorder.Sum("epd_kv_reservations", (MetricLabels.Result, "refused")));
    }

    [Fact]
    public async Task A_sequence_moved_mid_decode_leaves_no_block_leased_on_either_worker()
    {
        using var recorder = new MetricsRecorder(_meters);
        var source = Engine("decode-1");
        var target = Engine("decode-2");
        var request = new GenerationRequest(12, [.. Enumerable.Range(1, 40)], [], SamplingParams.Greedy(200) with { IgnoreStopTokens = true });
        var before = source.Llm.Submit(request);
        await before.ReadAsync();
        var suspended = await source.Llm.SuspendAsync(12);
        Assert.NotNull(suspended);

        var reserved = await target.Llm.ReserveAsync(12, request.PromptIds.Length + 200);
        Assert.Equal(reserved, recorder.Sum("epd_kv_leased_blocks", (MetricLabels.Worker, "decode-2"), (MetricLabels.Lease, KvLeaseKind.Reserved)));
        await target.Llm.ImportAsync(12, suspended.Blocks);
        var after = target.Llm.SubmitMigrated(request, suspended.GeneratedTokens);
        Assert.True(await source.Llm.ReleaseSuspendedAsync(12));
        var last = await after.ReadAllAsync().LastAsync();

        Assert.Equal(FinishReason.Length, last.Finish);
        Assert.Equal(0, recorder.Sum("epd_kv_leased_blocks", (MetricLabels.Worker, "decode-1")));
        Assert.Equal(0, recorder.Sum("epd_kv_leased_blocks", (MetricLabels.Worker, "decode-2")));
    }

    [Fact]
    public async Task An_evicted_import_returns_the_blocks_it_frees_from_the_lease_gauge()
    {
        using var recorder = new MetricsRecorder(_meters);
        var decode = Engine("decode-1");
        var kv = new KvSnapshot(decode.Llm.KvLayout, tokens: 100, slots: 20, new float[decode.Llm.KvLayout.FloatsFor(20)]);

        Assert.Equal(7, await decode.Llm.ReserveAsync(5, tokens: 110)); // 100 prompt tokens + 10 generated
        await decode.Llm.ImportAsync(5, kv);
        Assert.Equal(2, recorder.Sum("epd_kv_leased_blocks", (MetricLabels.Lease, KvLeaseKind.Reserved))); // 20 slots + 10 generated

        decode.Llm.Abort(5);
        await EngineSet.WaitUntil(() => decode.Llm.Stats.ReservedRequests == 0); // aborts apply at the next step
        Assert.Equal(0, decode.Llm.Stats.ReservedRequests);
        Assert.Equal(0, recorder.Sum("epd_kv_leased_blocks", (MetricLabels.Lease, KvLeaseKind.Reserved)));
    }

    private AggregatedEngine Engine(string worker, EngineOptions? options = null)
    {
        var model = TestModels.CreateDummy(TestModels.SmallVocabulary, seed: 21);
        var engine = new AggregatedEngine(model, options ?? new EngineOptions { KvCacheBytes = 8L * 1024 * 1024 }, EngineFixture.Rules, new EngineMetrics(_meters, "test-model", worker));
        _owned.Add(engine);
        _owned.Add(model);
        return engine;
    }

    private static float[] Pixels(int tiles)
    {
        var random = new Random(8);
        return Enumerable.Range(0, tiles * 3 * 224 * 224).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
    }

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        _meters.Dispose();
    }
}
