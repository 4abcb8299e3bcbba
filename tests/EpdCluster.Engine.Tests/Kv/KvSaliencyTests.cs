using EpdCluster.Engine.Kv;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Tests.Model;
using EpdCluster.Engine.Tests.Serving;

namespace EpdCluster.Engine.Tests.Kv;

/// <summary>Probe queries captured during prefill give every token its share of attention (ZipCache's saliency) at export.</summary>
public sealed class KvSaliencyTests : IDisposable
{
    private readonly Model.MultimodalModelHolder _holder = new();

    [Fact]
    public void Probe_positions_are_the_last_share_plus_a_seeded_random_share_of_the_earlier_ones()
    {
        var probes = new KvProbeSettings(0.05, 0.05);

        var positions = probes.Positions(200, seed: 7);

        Assert.Equal(20, positions.Length);
        Assert.Equal(Enumerable.Range(190, 10), positions[^10..]);
        Assert.All(positions[..10], p => Assert.InRange(p, 0, 189));
        Assert.Equal(positions, probes.Positions(200, seed: 7));
        Assert.NotEqual(positions, probes.Positions(200, seed: 8));
        Assert.Equal([0], probes.Positions(1, seed: 1));
    }

    [Fact]
    public async Task Every_probe_spreads_one_unit_of_attention_over_the_tokens_it_sees()
    {
        var engine = _holder.Engine();
        var prompt = Enumerable.Range(1, 90).ToArray();
        var request = new GenerationRequest(3, prompt, [], SamplingParams.Greedy(4) with { IgnoreStopTokens = true })
        {
            PrefillOnly = true,
            KvProbes = new KvProbeSettings(0.05, 0.1),
        };
        await engine.Llm.Submit(request).ReadAsync();

        var kv = await engine.Llm.ExportParkedKvAsync(3, withSaliency: true);

        var saliency = kv.Saliency!;
        Assert.Equal(5 + 9, saliency.Probes);
        for (var layer = 0; layer < saliency.Layers; layer++)
        {
            for (var head = 0; head < saliency.KvHeads; head++)
            {
                var scores = saliency.Accumulated.AsSpan(saliency.Offset(layer, head), saliency.Tokens).ToArray();
                Assert.Equal(saliency.Probes, scores.Sum(), 3);
                Assert.All(scores, s => Assert.True(s >= 0));

                // The last token is seen by one probe only (itself): its normalized score equals its accumulated score.
                Assert.Equal(scores[^1], saliency.Normalized[saliency.Offset(layer, head) + saliency.Tokens - 1], 5);
                Assert.Equal(scores[0] / saliency.Probes, saliency.Normalized[saliency.Offset(layer, head)], 5);
            }
        }
    }

    [Fact]
    public async Task Saliency_of_a_prompt_prefilled_without_probes_is_refused()
    {
        var engine = _holder.Engine();
        await engine.Llm.Submit(new GenerationRequest(4, [1, 2, 3], [], SamplingParams.Greedy(3) with { IgnoreStopTokens = true }) { PrefillOnly = true }).ReadAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => engine.Llm.ExportParkedKvAsync(4, withSaliency: true));
        Assert.Equal(3, (await engine.Llm.ExportParkedKvAsync(4, withSaliency: false)).Tokens);
    }

    public void Dispose() => _holder.Dispose();
}
