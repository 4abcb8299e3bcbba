using EpdCluster.Engine.Model;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Text;
using EpdCluster.Training.Data;

namespace EpdCluster.Training.Evaluation;

/// <summary>One held-out question as the engine answered it.</summary>
public sealed record AnsweredExample(SceneExample Example, string Reply)
{
    public bool IsCorrect => Example.Question.IsAnsweredBy(Reply);

    public AnswerMistake Mistake => AnswerMistakes.Classify(Example, Reply);
}

/// <summary>
/// Asks held-out questions through the serving engine (<see cref="AggregatedEngine"/>: preprocessing, vision encoder
/// stage, paged KV cache, continuous batching, greedy sampling, stop on end of turn) and scores exact matches.
/// </summary>
public static class ServedAnswerEvaluator
{
    /// <summary>Longest reply generated; the longest caption (four shapes) is well under it.</summary>
    public const int MaxReplyTokens = 48;

    public static async Task<(AccuracyTable Table, IReadOnlyList<AnsweredExample> Answers)> EvaluateAsync(
        MultimodalModel model, int count, int firstIndex = 0, CancellationToken cancellationToken = default)
    {
        var factory = new SceneExampleFactory(model.Config);
        var tokenizer = factory.Tokenizer;
        using var engine = new AggregatedEngine(model, new EngineOptions(), VocabularyRules.ForTokenizer(tokenizer));
        var examples = Enumerable.Range(firstIndex, count).Select(i => factory.Create(DataSplit.HeldOut, i)).ToList();
        var replies = await Task.WhenAll(examples.Select(async example =>
        {
            var ids = new List<int>();
            await foreach (var token in engine.GenerateAsync(example.Prompt, [example.Image], SamplingParams.Greedy(MaxReplyTokens), cancellationToken))
            {
                if (!tokenizer.IsSpecial(token.TokenId))
                {
                    ids.Add(token.TokenId);
                }
            }

            return new AnsweredExample(example, tokenizer.Decode(ids));
        }));

        var table = new AccuracyTable();
        foreach (var answer in replies)
        {
            table.Add(answer.Example.Question.Kind, answer.Example.Layout, answer.IsCorrect);
        }

        return (table, replies);
    }
}
