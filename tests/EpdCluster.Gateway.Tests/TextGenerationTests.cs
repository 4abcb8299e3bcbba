using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Text;
using EpdCluster.Gateway.Serving;

namespace EpdCluster.Gateway.Tests;

/// <summary>Detokenization, stop strings and aborts between a backend's tokens and the client's text.</summary>
public sealed class TextGenerationTests
{
    private static readonly GenerationInput Input = new("chatcmpl-test", new PromptTokens([1, 2, 3], []), [], [], SamplingParams.Greedy(64));

    [Fact]
    public async Task A_stop_string_cuts_the_text_finishes_with_stop_and_aborts_the_backend()
    {
        var ids = EpdTokenizer.Shared.EncodeText("Hello world, and much more text after it.");
        var backend = new ScriptedBackend(ids, FinishReason.Length);

        var deltas = await CollectAsync(backend, ["o w"]);

        Assert.Equal("Hell", string.Concat(deltas.Select(d => d.Text)));
        Assert.Equal(TextDelta.Stop, deltas[^1].FinishReason);
        Assert.All(deltas[..^1], d => Assert.Null(d.FinishReason));
        Assert.True(backend.Cancelled, "the backend was not told to abort");
        Assert.True(backend.Disposed);
        Assert.True(backend.Produced < ids.Length, $"the backend produced all {ids.Length} tokens");
        Assert.Equal(backend.Produced, deltas[^1].CompletionTokens);
    }

    [Fact]
    public async Task Without_a_stop_the_whole_text_arrives_with_the_backends_finish_reason()
    {
        var ids = EpdTokenizer.Shared.EncodeText("Caf\u00e9 \U0001F600 done");
        var backend = new ScriptedBackend(ids, FinishReason.Length);

        var deltas = await CollectAsync(backend, ["zzz"]);

        Assert.Equal("Caf\u00e9 \U0001F600 done", string.Concat(deltas.Select(d => d.Text)));
        Assert.DoesNotContain(deltas, d => d.Text.Contains('\uFFFD'));
        Assert.Equal(TextDelta.Length, deltas[^1].FinishReason);
        Assert.Equal(ids.Length, deltas[^1].CompletionTokens);
        Assert.False(backend.Cancelled);
    }

    [Fact]
    public async Task A_stop_token_produces_no_text_and_finishes_with_stop()
    {
        int[] ids = [.. EpdTokenizer.Shared.EncodeText("Yes."), EpdTokenizer.ImEndId];
        var backend = new ScriptedBackend(ids, FinishReason.Stop);

        var deltas = await CollectAsync(backend, []);

        Assert.Equal("Yes.", string.Concat(deltas.Select(d => d.Text)));
        Assert.Equal(TextDelta.Stop, deltas[^1].FinishReason);
    }

    [Fact]
    public async Task An_abort_the_client_did_not_ask_for_is_a_503_request_aborted()
    {
        var backend = new ScriptedBackend([.. EpdTokenizer.Shared.EncodeText("Partial"), -1], FinishReason.Abort);

        var error = await Assert.ThrowsAsync<BackendUnavailableException>(() => CollectAsync(backend, []));

        Assert.Equal(BackendUnavailableException.AbortedCode, error.Code);
    }

    private static async Task<List<TextDelta>> CollectAsync(IGenerationBackend backend, string[] stops)
    {
        var deltas = new List<TextDelta>();
        await foreach (var delta in TextGeneration.RunAsync(backend, Input, stops, CancellationToken.None))
        {
            deltas.Add(delta);
        }

        return deltas;
    }
}
