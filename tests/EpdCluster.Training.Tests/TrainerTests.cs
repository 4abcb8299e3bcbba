using System.Globalization;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Text;
using EpdCluster.Training.Data;
using EpdCluster.Training.Questions;
using EpdCluster.Training.Scenes;
using EpdCluster.Training.Training;
using static TorchSharp.torch;

namespace EpdCluster.Training.Tests;

/// <summary>
/// Runs alone: the trainer sets libtorch's process-wide thread count, which other tests' engines change.
/// </summary>
[Collection(TrainingRunsAlone.Name)]
public sealed class TrainerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("epd-train-test-").FullName;

    private static TrainerOptions Short(int steps, int visionWarmup = 0) => new()
    {
        Steps = steps,
        VisionWarmupSteps = visionWarmup,
        BatchSize = 3,
        WarmupSteps = 1,
        PeakLearningRate = 2e-3,
        CheckpointEvery = 2,
        EvaluateEvery = 0,
        Threads = 1,
        Precision = TrainingPrecision.Float32, // the default (auto) depends on the CPU
    };

    [Fact]
    public void A_batch_scores_exactly_the_answer_tokens_and_places_every_image_token()
    {
        var factory = new SceneExampleFactory(EpdModelConfig.Tiny);
        var examples = Enumerable.Range(0, 4).Select(i => factory.Create(DataSplit.HeldOut, i)).ToList();
        var batch = new SceneBatch(examples, 4);
        Assert.All(examples.Select((e, i) => (e, i)), p => Assert.Equal(p.e.Conversation.Ids.Select(id => (long)id), batch.Ids.Skip((int)batch.RowStarts[p.i]).Take(p.e.Conversation.Ids.Length)));
        Assert.Equal(examples.SelectMany(e => e.AnswerIds).Select(id => (long)id), batch.Targets);
        Assert.Equal(examples.Sum(e => e.Image.TileCount), batch.TileCount);
        Assert.Equal(examples.Sum(e => e.Image.TileCount) * EpdModelConfig.Tiny.TokensPerTile, batch.ImagePositions.Length);
        Assert.All(batch.ImagePositions, p => Assert.Equal(EpdTokenizer.ImageId, batch.Ids[p]));

        // Each scored position is followed by its target: next-token prediction.
        Assert.All(batch.PredictedPositions.Zip(batch.Targets), pair => Assert.Equal(pair.Second, batch.Ids[pair.First + 1]));
        var first = examples[0];
        Assert.Equal(first.Prompt.Ids.Length - 1, batch.PredictedPositions[0]);
        Assert.Equal(batch.RowStarts[1] + examples[1].Prompt.Ids.Length - 1, batch.PredictedPositions[first.AnswerIds.Length]);
    }

    [Fact]
    public void The_attention_guide_points_each_answer_about_a_shape_at_the_tokens_that_show_it()
    {
        var factory = new SceneExampleFactory(EpdModelConfig.Tiny);
        var examples = Enumerable.Range(0, 6).Select(i => factory.Create(DataSplit.Train, i, questions: 4)).ToList();
        var batch = new SceneBatch(examples, 4);
        var guided = examples.SelectMany(e => e.Questions).Count(q => q.Subject is not null);
        Assert.InRange(batch.GuideQueries.Length, 1, guided);
        Assert.All(batch.GuideLookups, lookup => Assert.Equal((long)GuideLookup.ByKind, lookup));

        // Every guided key is an image token of the query's own conversation, before the query, showing the subject.
        for (var i = 0; i < batch.GuideKeyPositions.Length; i++)
        {
            var query = (int)batch.GuideKeyQueries[i];
            Assert.Equal(EpdTokenizer.ImageId, batch.Ids[batch.GuideKeyPositions[i]]);
            Assert.InRange(batch.GuideKeyPositions[i], batch.GuideRowStarts[query], batch.GuideQueries[query] - 1);
        }

        // With all-zero queries attention is uniform over the visible tokens: the loss is the mean of −log(shown / visible).
        var positions = batch.Ids.Length;
        var lookups = SceneTrainer.GuideHeads(EpdModelConfig.Tiny.Text, positionLookup: true).Length;
        using var queries = zeros(positions, lookups, 32);
        using var keys = randn(positions, lookups, 32);
        var expected = Enumerable.Range(0, batch.GuideQueries.Length).Average(q =>
            -Math.Log((double)batch.GuideKeyQueries.Count(k => k == q) / (batch.GuideQueries[q] - batch.GuideRowStarts[q] + 1)));
        Assert.Equal(expected, SceneTrainer.AttentionGuideLoss(batch, queries, keys).item<float>(), 4);

        // One question per chat: each guided query reads the head of its lookup — by position for "which shape is on
        // the right?", by kind for the others.
        batch = new SceneBatch(Enumerable.Range(0, 16).Select(i => factory.Create(DataSplit.Train, i)).ToList(), 4, positionLookup: true);
        Assert.NotEmpty(batch.GuideQueries);
        for (var q = 0; q < batch.GuideQueries.Length; q++)
        {
            var question = batch.Examples[Array.IndexOf(batch.RowStarts, batch.GuideRowStarts[q])].Question;
            Assert.Equal(question.Kind == QuestionKind.Shape ? GuideLookup.ByPosition : GuideLookup.ByKind, (GuideLookup)batch.GuideLookups[q]);
        }

        Assert.Contains((long)GuideLookup.ByPosition, batch.GuideLookups);
        Assert.Contains((long)GuideLookup.ByKind, batch.GuideLookups);

        // Keys that match the query where the subject is shown, in the head of the query's lookup, and shun it there in
        // the other head: the loss goes to zero when each query reads its own lookup's head (and would be huge if not).
        positions = batch.Ids.Length;
        var marks = new float[positions, lookups];
        for (var i = 0; i < batch.GuideKeyPositions.Length; i++)
        {
            var lookup = batch.GuideLookups[batch.GuideKeyQueries[i]];
            for (var head = 0; head < lookups; head++)
            {
                marks[batch.GuideKeyPositions[i], head] = head == lookup ? 100f : -100f;
            }
        }

        using var aligned = cat([tensor(marks).unsqueeze(2), zeros(positions, lookups, 31)], 2);
        using var guideQueries = cat([ones(positions, lookups, 1), zeros(positions, lookups, 31)], 2);
        var loss = SceneTrainer.AttentionGuideLoss(batch, guideQueries, aligned).item<float>();
        Assert.True(loss < 1e-3, $"loss {loss}");
    }

    [Fact]
    public void The_word_guide_points_each_guided_answer_at_the_question_words_that_name_its_shape()
    {
        var factory = new SceneExampleFactory(EpdModelConfig.Tiny);
        var tokenizer = factory.Tokenizer;
        var words = QuestionWords.From(tokenizer);

        // One question per chat, so each guided query's question is its example's.
        var examples = Enumerable.Range(0, 24).Select(i => factory.Create(DataSplit.Train, i)).ToList();
        Assert.Empty(new SceneBatch(examples, 4, positionLookup: true).GuideWordKeyQueries);
        var batch = new SceneBatch(examples, 4, positionLookup: true, words);
        Assert.Equal(Enumerable.Range(0, batch.GuideQueries.Length).Select(q => (long)q), batch.GuideWordKeyQueries.Distinct().Order());
        var askedBy = new HashSet<QuestionKind>();
        for (var i = 0; i < batch.GuideWordKeyPositions.Length; i++)
        {
            var query = (int)batch.GuideWordKeyQueries[i];
            var position = batch.GuideWordKeyPositions[i];
            var example = batch.Examples[Array.IndexOf(batch.RowStarts, batch.GuideRowStarts[query])];
            var question = example.Question;
            Assert.InRange(position, batch.GuideRowStarts[query], batch.GuideQueries[query] - 1);

            // The token begins a word of the question that names the subject: its place for "which shape is on the
            // right?", its kind otherwise.
            var naming = question.Kind == QuestionKind.Shape
                ? example.Scene.Shapes.Single(shape => shape.Kind == question.Subject).Position.Name().Split(' ')
                : [question.Subject!.Value.Word()];
            var token = tokenizer.Decode([(int)batch.Ids[position]]);
            Assert.StartsWith(" ", token);
            Assert.Contains(naming, word => word.StartsWith(token[1..], StringComparison.Ordinal));
            Assert.Contains(" " + token[1..], " " + question.Text);
            askedBy.Add(question.Kind);
        }

        Assert.Contains(QuestionKind.Shape, askedBy);
        Assert.Contains(QuestionKind.Colour, askedBy);

        // In a chat of several questions each query's words come from its own question: after the previous answer.
        var chats = Enumerable.Range(0, 6).Select(i => factory.Create(DataSplit.Train, i, questions: 4)).ToList();
        batch = new SceneBatch(chats, 4, positionLookup: true, words);
        Assert.NotEmpty(batch.GuideWordKeyPositions);
        for (var i = 0; i < batch.GuideWordKeyPositions.Length; i++)
        {
            var query = (int)batch.GuideWordKeyQueries[i];
            var row = batch.GuideRowStarts[query];
            var answers = batch.Examples[Array.IndexOf(batch.RowStarts, row)].Conversation.Answers;
            var answerStart = batch.GuideQueries[query] - row + 1;
            var previousEnd = answers.Where(a => a.Start < answerStart).Select(a => (long)(a.Start + a.Length)).DefaultIfEmpty(0).Max();
            Assert.InRange(batch.GuideWordKeyPositions[i] - row, previousEnd, answerStart - 1);
        }

        // Guiding to the words: with all-zero queries the loss is the mean of −log(words / visible tokens).
        var lookups = SceneTrainer.GuideHeads(EpdModelConfig.Tiny.Text, positionLookup: true).Length;
        using var queries = zeros(batch.Ids.Length, lookups, 32);
        using var keys = randn(batch.Ids.Length, lookups, 32);
        var expected = Enumerable.Range(0, batch.GuideQueries.Length).Average(q =>
            -Math.Log((double)batch.GuideWordKeyQueries.Count(k => k == q) / (batch.GuideQueries[q] - batch.GuideRowStarts[q] + 1)));
        Assert.Equal(expected, SceneTrainer.AttentionGuideLoss(batch, queries, keys, toWords: true).item<float>(), 4);
        Assert.NotEqual(expected, SceneTrainer.AttentionGuideLoss(batch, queries, keys).item<float>(), 2);
    }

    [Fact]
    public void Short_and_long_conversations_are_padded_in_separate_blocks_only_when_that_saves_padding()
    {
        var (groups, groupOf) = SceneBatch.LengthGroups([210, 100, 205, 96]);
        Assert.Equal([(2, 100), (2, 210)], groups);
        Assert.Equal([1, 0, 1, 0], groupOf);

        // Equal lengths go to the short block in their order, up to its size.
        (groups, groupOf) = SceneBatch.LengthGroups([90, 90, 90, 300, 300]);
        Assert.Equal([(3, 90), (2, 300)], groups);
        Assert.Equal([0, 0, 0, 1, 1], groupOf);

        // Under a tenth saved: one block.
        (groups, groupOf) = SceneBatch.LengthGroups([200, 190, 210]);
        Assert.Equal([(3, 210)], groups);
        Assert.Equal([0, 0, 0], groupOf);
    }

    [Fact]
    public void A_batch_in_two_length_blocks_scores_every_example_as_it_scores_alone()
    {
        var factory = new SceneExampleFactory(EpdModelConfig.Tiny);
        var tiled = Enumerable.Range(0, 40).Select(i => factory.Create(DataSplit.Train, i, questions: 3)).Where(e => e.Image.TileCount > 3).Take(2).ToList();
        var examples = new[] { factory.CreateSingleTile(5, questions: 2), tiled[0], factory.CreateSingleTile(6, questions: 2), tiled[1] };
        var batch = new SceneBatch(examples, 4);
        Assert.Equal(2, batch.Groups.Count);
        Assert.True(batch.Ids.Length < examples.Length * examples.Max(e => e.Conversation.Ids.Length));

        using var trainer = new SceneTrainer(EpdModelConfig.Tiny, Short(2), Path.Combine(_root, "blocks"), TextWriter.Null);
        using var noGrad = no_grad();
        var together = trainer.ScoredLogits(batch);
        var alone = cat(examples.Select(e => trainer.ScoredLogits(new SceneBatch([e], 4))).ToList(), 0);
        Assert.Equal(alone.shape, together.shape);
        Assert.True(alone.allclose(together, rtol: 1e-4, atol: 1e-4), $"largest difference {(alone - together).abs().max().item<float>()}");
    }

    [Fact]
    public void A_batch_of_chats_scores_every_answer_and_weighs_each_example_the_same()
    {
        var factory = new SceneExampleFactory(EpdModelConfig.Tiny);
        var examples = new[] { factory.Create(DataSplit.Train, 3, questions: 3), factory.Create(DataSplit.Train, 4) };
        var batch = new SceneBatch(examples, 4);

        var spans = examples.SelectMany(e => e.Conversation.Answers.Select(a => (Example: e, Answer: a))).ToList();
        Assert.Equal(4, spans.Count);
        Assert.Equal(spans.SelectMany(s => s.Example.Conversation.Ids[s.Answer.Start..(s.Answer.Start + s.Answer.Length)]).Select(id => (long)id), batch.Targets);
        Assert.All(batch.PredictedPositions.Zip(batch.Targets), pair => Assert.Equal(pair.Second, batch.Ids[pair.First + 1]));

        // Weights: each example ½, split evenly over its answers, each answer's share over its tokens.
        var offset = 0;
        for (var e = 0; e < examples.Length; e++)
        {
            var weights = batch.ExampleWeights.Skip(offset).Take(batch.AnswerLengths[e]).ToList();
            Assert.Equal(0.5, weights.Sum(), 5);
            offset += batch.AnswerLengths[e];
        }
    }

    [Fact]
    public async Task The_loss_falls_over_a_few_steps()
    {
        using var trainer = new SceneTrainer(EpdModelConfig.Tiny, Short(16), Path.Combine(_root, "falls"), TextWriter.Null);
        await trainer.RunAsync();
        var losses = File.ReadAllLines(Path.Combine(_root, "falls", SceneTrainer.LossLogFileName)).Skip(1)
            .Select(line => double.Parse(line.Split(',')[1], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(16, losses.Count);
        Assert.InRange(losses[0], Math.Log(50304) - 1, Math.Log(50304) + 1); // starts near uniform over the vocabulary
        Assert.True(losses.TakeLast(4).Average() < losses[0] - 3, $"loss went {string.Join(" → ", losses.Select(l => l.ToString("0.00", CultureInfo.InvariantCulture)))}");
    }

    [Fact]
    public async Task A_resumed_run_ends_with_the_weights_of_an_uninterrupted_one()
    {
        using (var whole = new SceneTrainer(EpdModelConfig.Tiny, Short(4, visionWarmup: 1), Path.Combine(_root, "whole"), TextWriter.Null))
        {
            await whole.RunAsync();
        }

        // The same run stopped right after its first checkpoint (step 2), then finished by a new trainer on that directory.
        var work = Path.Combine(_root, "resumed");
        Assert.Equal(2, await RunToFirstCheckpoint(Short(4, visionWarmup: 1), work));

        using (var resumed = new SceneTrainer(EpdModelConfig.Tiny, Short(4, visionWarmup: 1), work, TextWriter.Null))
        {
            Assert.Equal(2, resumed.State.NextStep);
            await resumed.RunAsync();
        }

        // The fp32 checkpoints each run leaves at its last step (the served fp16 copies could differ by a rounding ulp).
        var expected = CheckpointWeights(Path.Combine(_root, "whole"));
        var actual = CheckpointWeights(work);

        // Exactly: each step computes with the run's thread count, so libtorch sums in the same order in both runs. A
        // resume that lost the optimizer state, the schedule or the data position differs by a sizeable share of the
        // training movement after one step.
        var difference = Moved(expected, actual);
        var movement = Moved(InitialWeights(Short(4, visionWarmup: 1)), expected);
        Assert.True(movement > 0, "training moved no weight");
        Assert.True(difference == 0, $"the resumed run differs by {difference:E2} in sum, against {movement:E2} of training movement");
    }

    [Fact]
    public void A_run_computes_with_its_thread_count_on_whichever_thread_its_steps_resume()
    {
        // libtorch keeps its thread count per thread, and the run's awaits may resume its steps on a thread that has
        // computed with another count. Each run here is built on the test's thread and run on a thread of its own
        // that last computed with `threadCount` threads.
        Dictionary<string, Tensor> Train(int threads, int threadCount, string name)
        {
            using var trainer = new SceneTrainer(EpdModelConfig.Tiny, Short(4, visionWarmup: 2) with { Threads = threads }, Path.Combine(_root, name), TextWriter.Null);
            OneThreadContext.Run(threadCount, trainer.RunAsync);
            return WeightsOf(trainer.Model);
        }

        var reference = Train(threads: 1, threadCount: 1, "one");
        var onTwo = Train(threads: 2, threadCount: 2, "two");
        var askedOneOnTwo = Train(threads: 1, threadCount: 2, "asked-one");

        Assert.True(Moved(reference, onTwo) > 0, "one and two threads sum alike here, so this test cannot tell them apart");
        Assert.Equal(0, Moved(reference, askedOneOnTwo));
    }

    [Fact]
    public async Task A_work_directory_of_a_run_with_other_options_is_refused()
    {
        var work = Path.Combine(_root, "other");
        using (var trainer = new SceneTrainer(EpdModelConfig.Tiny, Short(2), work, TextWriter.Null))
        {
            await trainer.RunAsync();
        }

        var error = Assert.Throws<InvalidOperationException>(() => new SceneTrainer(EpdModelConfig.Tiny, Short(3), work, TextWriter.Null));
        Assert.Contains("other options", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TrainingPrecision.BFloat16Vision)]
    [InlineData(TrainingPrecision.BFloat16)]
    public async Task Bfloat16_products_train_the_same_run_to_within_rounding(TrainingPrecision precision)
    {
        async Task<Dictionary<string, Tensor>> Train(TrainingPrecision p, string name)
        {
            using var trainer = new SceneTrainer(EpdModelConfig.Tiny, Short(3, visionWarmup: 1) with { Precision = p }, Path.Combine(_root, name), TextWriter.Null);
            await trainer.RunAsync();
            return WeightsOf(trainer.Model);
        }

        var inFloat32 = await Train(TrainingPrecision.Float32, "fp32");
        var mixed = await Train(precision, precision.ToString());
        var start = InitialWeights(Short(3));
        (double Difference, double Movement) Compare(string prefix)
        {
            double difference = 0, movement = 0;
            foreach (var (name, weight) in mixed.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)))
            {
                difference += (weight - inFloat32[name]).abs().sum().item<float>();
                movement += (inFloat32[name] - start[name]).abs().sum().item<float>();
            }

            return (difference, movement);
        }

        // The vision side's products ran in bfloat16 either way, so its weights differ from the float32 run's — by
        // rounding (Adam turns some near-zero gradients' signs into full steps), far less than training moved them.
        var vision = Compare("vision_tower.");
        Assert.True(vision.Difference > 0, "the vision tower trained exactly as in float32: its products were not in bfloat16");
        Assert.True(vision.Difference < 0.5 * vision.Movement, $"vision tower: {vision.Difference:E2} apart against {vision.Movement:E2} of movement");

        var language = Compare("language_model.model.layers.");
        Assert.True(language.Movement > 0, "the language model did not train");
        Assert.True(language.Difference < 0.5 * language.Movement, $"language model: {language.Difference:E2} apart against {language.Movement:E2} of movement");
    }

    [Fact]
    public async Task Bf16_warmup_multiplies_in_bfloat16_in_the_vision_warm_up_only()
    {
        // Stopped at the first checkpoint (step 2, both steps vision warm-up), then resumed for the joint steps.
        var options = Short(4, visionWarmup: 2);
        async Task<string> WarmUp(TrainingPrecision precision)
        {
            var work = Path.Combine(_root, "warm-" + precision);
            await RunToFirstCheckpoint(options with { Precision = precision }, work);
            return work;
        }

        var warmedUp = await WarmUp(TrainingPrecision.BFloat16Warmup);
        Assert.Equal(0, Moved(CheckpointWeights(warmedUp), CheckpointWeights(await WarmUp(TrainingPrecision.BFloat16Vision))));
        Assert.True(Moved(CheckpointWeights(warmedUp), CheckpointWeights(await WarmUp(TrainingPrecision.Float32))) > 0, "the warm-up did not multiply in bfloat16");

        // From the same warm-up, its joint steps are those of a float32 run, not of a bfloat16 one.
        async Task<Dictionary<string, Tensor>> Joint(TrainingPrecision precision)
        {
            var work = Path.Combine(_root, "joint-" + precision);
            CopyDirectory(warmedUp, work);
            using var trainer = new SceneTrainer(EpdModelConfig.Tiny, options with { Precision = precision }, work, TextWriter.Null);
            await trainer.RunAsync();
            return WeightsOf(trainer.Model);
        }

        var joint = await Joint(TrainingPrecision.BFloat16Warmup);
        Assert.Equal(0, Moved(joint, await Joint(TrainingPrecision.Float32)));
        Assert.True(Moved(joint, await Joint(TrainingPrecision.BFloat16Vision)) > 0, "bf16-vision's joint steps were float32 too");
    }

    /// <summary>A copy of the model's weights, by name.</summary>
    private static Dictionary<string, Tensor> WeightsOf(MultimodalModel model) => model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());

    /// <summary>The weights of the checkpoint in a run's work directory.</summary>
    private static Dictionary<string, Tensor> CheckpointWeights(string work)
    {
        using var model = Engine.Weights.ModelCheckpoint.Load(Path.Combine(work, "checkpoint"));
        return WeightsOf(model);
    }

    /// <summary>The weights a run with these options starts from.</summary>
    private static Dictionary<string, Tensor> InitialWeights(TrainerOptions options)
    {
        using var initial = new MultimodalModel(EpdModelConfig.Tiny);
        Engine.Weights.DummyWeights.Initialize(initial, options.Seed);
        return WeightsOf(initial);
    }

    /// <summary>How far the weights whose names start with <paramref name="prefix"/> moved: the sum of absolute differences.</summary>
    private static double Moved(Dictionary<string, Tensor> from, Dictionary<string, Tensor> to, string prefix = "") =>
        to.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(p => (p.Value - from[p.Key]).abs().sum().item<float>());

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [Fact]
    public async Task A_run_resumes_in_another_precision()
    {
        var work = Path.Combine(_root, "precision");
        await RunToFirstCheckpoint(Short(4, visionWarmup: 1) with { Precision = TrainingPrecision.Float32 }, work);

        using var resumed = new SceneTrainer(EpdModelConfig.Tiny, Short(4, visionWarmup: 1) with { Precision = TrainingPrecision.BFloat16 }, work, TextWriter.Null);
        Assert.Equal(2, resumed.State.NextStep);
        await resumed.RunAsync();
        Assert.Equal(4, resumed.State.NextStep);
    }

    [Fact]
    public async Task A_word_aligned_probe_leaves_the_language_model_untouched_in_the_vision_warm_up()
    {
        // Stopped at its first checkpoint (step 2): both steps were vision warm-up.
        var options = Short(5, visionWarmup: 3) with { WordAlignedProbe = true };
        var work = Path.Combine(_root, "words");
        await RunToFirstCheckpoint(options, work);

        var (start, end) = (InitialWeights(options), CheckpointWeights(work));
        Assert.True(Moved(start, end, "multi_modal_projector.") > 0, "the projector did not train");
        Assert.Equal(0, Moved(start, end, "language_model."));
    }

    [Fact]
    public async Task A_frozen_stem_trains_in_the_warm_up_and_keeps_its_weights_in_the_joint_phase()
    {
        // Stopped at the first checkpoint (step 2, the end of the warm-up), then resumed for two joint steps.
        var options = Short(4, visionWarmup: 2) with { FreezeStemInJointPhase = true };
        var work = Path.Combine(_root, "stem");
        await RunToFirstCheckpoint(options, work);

        var warmedUp = CheckpointWeights(work);
        using var joint = new SceneTrainer(EpdModelConfig.Tiny, options, work, TextWriter.Null);
        await joint.RunAsync();
        var (start, end) = (InitialWeights(options), joint.Model.state_dict());

        Assert.True(Moved(start, warmedUp, "vision_tower.embeddings.stem.") > 0, "the stem did not train in the warm-up");
        Assert.Equal(0, Moved(warmedUp, end, "vision_tower.embeddings.stem."));
        Assert.True(Moved(warmedUp, end, "vision_tower.embeddings.patch_embedding.") > 0, "the patch embedding did not train in the joint phase");
        Assert.True(Moved(warmedUp, end, "vision_tower.encoder.") > 0, "the tower's blocks did not train in the joint phase");
        Assert.True(Moved(warmedUp, end, "language_model.") > 0, "the language model did not train");
    }

    [Fact]
    public async Task A_frozen_vision_tower_keeps_its_weights_while_the_projector_and_language_model_train()
    {
        var options = Short(3) with { JointVisionLearningRateScale = 0 };
        using var trainer = new SceneTrainer(EpdModelConfig.Tiny, options, Path.Combine(_root, "frozen"), TextWriter.Null);
        await trainer.RunAsync();

        var (start, trained) = (InitialWeights(options), trainer.Model.state_dict());
        Assert.Contains(trained.Keys, name => name.StartsWith("vision_tower.", StringComparison.Ordinal));
        Assert.Equal(0, Moved(start, trained, "vision_tower."));
        Assert.True(Moved(start, trained, "multi_modal_projector.") > 0, "the projector did not train");
        Assert.True(Moved(start, trained, "language_model.") > 0, "the language model did not train");
    }

    [Fact]
    public void Every_optimizer_group_uses_the_runs_beta2_and_weight_decay()
    {
        var options = Short(2) with { Beta2 = 0.97, WeightDecay = 0.03, WordAlignedProbe = false };
        using var trainer = new SceneTrainer(EpdModelConfig.Tiny, options, Path.Combine(_root, "optimizer"), TextWriter.Null);
        using var optimizer = trainer.CreateOptimizer();

        // The stem (frozen in the joint phase), the rest of the vision tower, everything else.
        var groups = optimizer.ParamGroups.Cast<TorchSharp.Modules.AdamW.ParamGroup>().ToList();
        Assert.Equal(3, groups.Count);
        Assert.Equal(trainer.Model.VisionStemParameters().Count(), groups[0].Parameters.Count());
        Assert.All(groups, g =>
        {
            Assert.Equal((0.9, 0.97), g.Betas);
            Assert.Equal(0.03, g.Options.weight_decay);
        });
        Assert.Equal(trainer.Model.parameters().Count(), groups.Sum(g => g.Parameters.Count()) - 8);
    }

    [Fact]
    public void The_warm_up_goes_from_easy_to_single_tile_to_mixed_scenes_then_chats()
    {
        var options = new TrainerOptions { Steps = 150, VisionWarmupSteps = 100, EasyWarmupFraction = 0.1, MixedWarmupSteps = 30 };
        Assert.Equal(TrainingStream.EasyScenes, options.StreamAt(9));
        Assert.Equal(TrainingStream.SingleTileScenes, options.StreamAt(10));
        Assert.Equal(TrainingStream.SingleTileScenes, options.StreamAt(69));
        Assert.Equal(TrainingStream.MixedScenes, options.StreamAt(70));
        Assert.Equal(TrainingStream.MixedScenes, options.StreamAt(99));
        Assert.Equal(TrainingStream.Chats, options.StreamAt(100));
        Assert.Throws<ArgumentException>(() => (options with { MixedWarmupSteps = 91 }).Validate());

        var singleTileFirst = options with { SingleTileJointSteps = 20 };
        Assert.Equal(TrainingStream.MixedScenes, singleTileFirst.StreamAt(99));
        Assert.Equal(TrainingStream.SingleTileChats, singleTileFirst.StreamAt(100));
        Assert.Equal(TrainingStream.SingleTileChats, singleTileFirst.StreamAt(119));
        Assert.Equal(TrainingStream.Chats, singleTileFirst.StreamAt(120));
        Assert.Throws<ArgumentException>(() => (options with { SingleTileJointSteps = 50 }).Validate());
    }

    [Fact]
    public void The_vision_tower_has_its_own_learning_rate_in_the_joint_phase_only()
    {
        var options = new TrainerOptions { Steps = 120, VisionWarmupSteps = 20, WarmupSteps = 10, PeakLearningRate = 1e-3, JointVisionLearningRateScale = 0.25 };
        Assert.Equal(options.LearningRateAt(15), options.VisionLearningRateAt(15), 12);
        Assert.Equal(0.25 * options.LearningRateAt(40), options.VisionLearningRateAt(40), 12);
        Assert.False(options.IsVisionFrozen(40));
        var frozen = options with { JointVisionLearningRateScale = 0 };
        Assert.False(frozen.IsVisionFrozen(19));
        Assert.True(frozen.IsVisionFrozen(20));
        Assert.Equal(0, frozen.VisionLearningRateAt(60));
        Assert.Throws<ArgumentException>(() => (options with { JointVisionLearningRateScale = 1.5 }).Validate());
    }

    [Fact]
    public void The_vision_warm_up_holds_the_peak_then_the_joint_phase_warms_up_again_and_decays()
    {
        var options = new TrainerOptions { Steps = 120, VisionWarmupSteps = 20, WarmupSteps = 10, PeakLearningRate = 1e-3, FinalLearningRateFraction = 0.1 };
        Assert.True(options.IsVisionWarmup(19));
        Assert.False(options.IsVisionWarmup(20));
        Assert.Equal(1e-4, options.LearningRateAt(0), 12);
        Assert.Equal(1e-3, options.LearningRateAt(15), 12);
        Assert.Equal(1e-4, options.LearningRateAt(20), 12);
        Assert.Equal(1e-3, options.LearningRateAt(30), 12);
        Assert.Equal(1e-3 * (0.1 + (0.9 * 0.5)), options.LearningRateAt(30 + 45), 12);
        Assert.Equal(1e-4, options.LearningRateAt(120), 12);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    public void Learning_rate_warms_up_then_decays_along_a_cosine(int warmup)
    {
        var options = new TrainerOptions { Steps = 100, VisionWarmupSteps = 0, WarmupSteps = warmup, PeakLearningRate = 1e-3, FinalLearningRateFraction = 0.1 };
        if (warmup > 0)
        {
            Assert.Equal(1e-4, options.LearningRateAt(0), 12);
            Assert.Equal(1e-3, options.LearningRateAt(warmup - 1), 12);
        }

        Assert.Equal(1e-3, options.LearningRateAt(warmup), 12);
        Assert.Equal(1e-3 * (0.1 + (0.9 * 0.5)), options.LearningRateAt(warmup + ((100 - warmup) / 2)), 12);
        Assert.Equal(1e-4, options.LearningRateAt(100), 12);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Cancels the run when the trainer reports its first checkpoint.</summary>
    /// <summary>Runs <paramref name="options"/> in <paramref name="work"/> until it writes its first checkpoint, and stops it there; returns the step it stopped at.</summary>
    private static async Task<int> RunToFirstCheckpoint(TrainerOptions options, string work)
    {
        using var stop = new CancellationTokenSource();
        using var trainer = new SceneTrainer(EpdModelConfig.Tiny, options, work, new StopAfterCheckpoint(stop));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => trainer.RunAsync(stop.Token));
        return trainer.State.NextStep;
    }

    private sealed class StopAfterCheckpoint(CancellationTokenSource stop) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            if (value?.Contains("checkpoint:", StringComparison.Ordinal) == true)
            {
                stop.Cancel();
            }
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TrainingRunsAlone
{
    public const string Name = "training runs alone";
}
