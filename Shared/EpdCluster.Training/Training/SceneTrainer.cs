using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Text;
using EpdCluster.Engine.Torch;
using EpdCluster.Engine.Weights;
using EpdCluster.Training.Data;
using EpdCluster.Training.Evaluation;
using EpdCluster.Training.Scenes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EpdCluster.Training.Training;

/// <summary>
/// Trains the served modules (vision tower, projector, language model) end to end on generated scene questions:
/// AdamW, cross-entropy on answer tokens only (every example weighing the same), an auxiliary region probe, warm-up + cosine schedule, global gradient clipping, a resumable
/// checkpoint every N steps in the work directory, progress lines with loss and ETA. Deterministic: the initial
/// weights come from the seed and each step's examples from the step number.
/// </summary>
public sealed class SceneTrainer : IDisposable
{
    public const string StateFileName = "trainer-state.json";
    public const string OptimizerFileName = "optimizer.bin";
    public const string LossLogFileName = "loss.csv";
    public const string ProbeFileName = "region-probe.safetensors";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private readonly TrainerOptions _options;
    private readonly string _workDirectory;
    private readonly TextWriter _log;
    private readonly SceneExampleFactory _examples;
    private readonly RegionProbe _probe;
    private readonly int _tokensPerSide;
    private readonly QuestionWords _words;
    private readonly long[,] _colourWords;
    private readonly long[] _guideQueryHeads;
    private readonly long[] _guideKeyHeads;
    private readonly bool _warmupInBFloat16;
    private readonly bool _visionInBFloat16;
    private readonly bool _languageInBFloat16;

    public SceneTrainer(EpdModelConfig config, TrainerOptions options, string workDirectory, TextWriter log)
    {
        options.Validate();
        _options = options;
        _workDirectory = workDirectory;
        _log = log;
        _examples = new SceneExampleFactory(config, mix: options.QuestionMix);
        _tokensPerSide = config.Vision.PatchesPerSide / config.PixelShuffleFactor;
        _words = QuestionWords.From(_examples.Tokenizer);
        _colourWords = QuestionWords.WordTokens(_examples.Tokenizer, ShapeColour.Palette.Select(colour => colour.Name));
        var text = config.Text;
        _guideQueryHeads = [.. GuideHeads(text, options.PositionLookup).Select(head => (long)head)];
        _guideKeyHeads = [.. _guideQueryHeads.Select(head => head * text.NumKeyValueHeads / text.NumAttentionHeads)];
        var precision = options.Precision == TrainingPrecision.Auto
            ? (ComputePrecision.IsBFloat16Native ? TrainingPrecision.BFloat16Warmup : TrainingPrecision.Float32)
            : options.Precision;
        _warmupInBFloat16 = precision != TrainingPrecision.Float32;
        _visionInBFloat16 = precision is TrainingPrecision.BFloat16Vision or TrainingPrecision.BFloat16;
        _languageInBFloat16 = precision == TrainingPrecision.BFloat16;
        Directory.CreateDirectory(workDirectory);
        TorchRuntime.UseThreads(options.Threads);

        var checkpoint = CheckpointDirectory;
        var statePath = Path.Combine(checkpoint, StateFileName);
        if (File.Exists(statePath))
        {
            var saved = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(statePath), JsonOptions)
                ?? throw new InvalidDataException($"{statePath} is empty.");
            // Threads and precision are how a run computes, not which run it is: either may change on resuming.
            if (saved.Options with { Threads = 0, Precision = default } != options with { Threads = 0, Precision = default })
            {
                throw new InvalidOperationException($"{workDirectory} holds a run with other options ({JsonSerializer.Serialize(saved.Options)}); resume with the same options or use another work directory.");
            }

            Model = ModelCheckpoint.Load(checkpoint);
            _probe = new RegionProbe(config.Text.HiddenSize, options.WordAlignedProbe, options.PositionWords);
            ModelCheckpoint.LoadWeights(_probe, [SafetensorsFile.Open(Path.Combine(checkpoint, ProbeFileName))], name => name);
            State = saved;
            _log.WriteLine($"Resuming at step {saved.NextStep} of {options.Steps} ({FormatDuration(saved.ElapsedSeconds)} already spent).");
        }
        else
        {
            Model = new MultimodalModel(config);
            DummyWeights.Initialize(Model, options.Seed);
            _probe = new RegionProbe(config.Text.HiddenSize, options.WordAlignedProbe, options.PositionWords);
            DummyWeights.Initialize(_probe, options.Seed + 1);
            State = new TrainingState(0, 0, options);
        }

        Model.train();
        _probe.train();
        var native = ComputePrecision.IsBFloat16Native ? "this CPU multiplies bfloat16 natively" : "this CPU emulates bfloat16 products, slower than float32";
        _log.WriteLine(_languageInBFloat16 ? $"Products in bfloat16, weights and losses in float32 ({native})."
            : _visionInBFloat16 ? $"Vision tower and projector products in bfloat16, the language model's in float32 ({native})."
            : _warmupInBFloat16 ? $"Products in bfloat16 in the vision warm-up, in float32 in the joint phase ({native})."
            : ComputePrecision.IsBFloat16Native ? $"Products in float32 ({native}: --precision bf16-warmup makes the vision warm-up a quarter cheaper)."
            : "Products in float32.");
    }

    public MultimodalModel Model { get; }

    public TrainingState State { get; private set; }

    public SceneExampleFactory Examples => _examples;

    private string CheckpointDirectory => Path.Combine(_workDirectory, "checkpoint");

    /// <summary>Runs the remaining steps; returns the held-out table of the last evaluation (teacher-forced).</summary>
    public async Task<AccuracyTable?> RunAsync(CancellationToken cancellationToken = default)
    {
        using var optimizer = CreateOptimizer();
        var parameters = optimizer.ParamGroups.Cast<AdamW.ParamGroup>().SelectMany(g => g.Parameters).ToList();
        var optimizerPath = Path.Combine(CheckpointDirectory, OptimizerFileName);
        if (State.NextStep > 0 && File.Exists(optimizerPath))
        {
            optimizer.load_state_dict(optimizerPath);
        }

        var batches = Channel.CreateBounded<SceneBatch>(new BoundedChannelOptions(3) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(() => ProduceAsync(batches.Writer, State.NextStep, stop.Token), stop.Token);

        AccuracyTable? last = null;
        var clock = Stopwatch.StartNew();

        // The pace is measured per phase: a vision warm-up step costs a fraction of a joint one.
        var phaseClock = Stopwatch.StartNew();
        var phaseStart = State.NextStep;
        var spentBefore = State.ElapsedSeconds;
        var smoothed = double.NaN;
        var smoothedRegions = double.NaN;
        var smoothedKinds = double.NaN;
        var startStep = State.NextStep;
        var lossLog = Path.Combine(_workDirectory, LossLogFileName);
        if (!File.Exists(lossLog))
        {
            await File.WriteAllTextAsync(lossLog, "step,answer_loss,region_loss,kind_accuracy,learning_rate,grad_norm,seconds\n", cancellationToken);
        }

        try
        {
            for (var step = startStep; step < _options.Steps; step++)
            {
                if (step == _options.VisionWarmupSteps)
                {
                    phaseClock.Restart();
                    phaseStart = step;
                }

                var batch = await batches.Reader.ReadAsync(cancellationToken);

                // The loop's awaits may resume it on another thread, which may compute with another thread count.
                TorchRuntime.UseThreads(_options.Threads);
                var learningRate = _options.LearningRateAt(step);
                var groups = optimizer.ParamGroups.ToList();
                groups[^2].LearningRate = _options.VisionLearningRateAt(step);
                groups[^1].LearningRate = learningRate;
                if (_options.FreezeStemInJointPhase)
                {
                    // A frozen stem's weights need no gradient, so autograd leaves its convolutions out of the backward pass.
                    groups[0].LearningRate = _options.StemLearningRateAt(step);
                    foreach (var parameter in ((AdamW.ParamGroup)groups[0]).Parameters)
                    {
                        parameter.requires_grad = !_options.IsStemFrozen(step);
                    }
                }

                double loss, regionLoss, guideLoss, gradNorm, kindAccuracy;
                using (var scope = NewDisposeScope())
                {
                    optimizer.zero_grad();
                    var (answer, regions, guide, kinds) = ForwardLosses(batch, step);
                    kindAccuracy = kinds;
                    var total = answer + (_options.RegionLossWeight * regions);
                    (guide is null ? total : total + (_options.AttentionGuideWeight * guide)).backward();
                    gradNorm = nn.utils.clip_grad_norm_(parameters, _options.GradientClip);
                    optimizer.step();
                    loss = answer.item<float>();
                    regionLoss = regions.item<float>();
                    guideLoss = guide?.item<float>() ?? double.NaN;
                }

                if (!double.IsFinite(loss) || !double.IsFinite(regionLoss))
                {
                    throw new InvalidOperationException($"The loss became {loss} (regions {regionLoss}) at step {step}; lower the learning rate.");
                }

                smoothed = double.IsNaN(smoothed) || step == _options.VisionWarmupSteps ? loss : (0.95 * smoothed) + (0.05 * loss);
                smoothedRegions = double.IsNaN(smoothedRegions) ? regionLoss : (0.95 * smoothedRegions) + (0.05 * regionLoss);
                smoothedKinds = double.IsNaN(kindAccuracy) ? smoothedKinds : double.IsNaN(smoothedKinds) ? kindAccuracy : (0.95 * smoothedKinds) + (0.05 * kindAccuracy);
                var elapsed = spentBefore + clock.Elapsed.TotalSeconds;
                await File.AppendAllTextAsync(lossLog, string.Create(CultureInfo.InvariantCulture, $"{step + 1},{loss:0.#####},{regionLoss:0.#####},{kindAccuracy:0.###},{learningRate:0.######},{gradNorm:0.####},{elapsed:0.#}\n"), cancellationToken);
                var done = step + 1;
                if (done % 10 == 0 || done == _options.Steps || done == startStep + 1)
                {
                    var perStep = phaseClock.Elapsed.TotalSeconds / (done - phaseStart);
                    var eta = _options.IsVisionWarmup(step)
                        ? $"warm-up ends in {FormatDuration(perStep * (_options.VisionWarmupSteps - done))}"
                        : $"eta {FormatDuration(perStep * (_options.Steps - done))}";
                    _log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{Bar(done)} step {done}/{_options.Steps}{(_options.IsVisionWarmup(step) ? " vision warm-up" : "")}  loss {smoothed:0.0000} (regions {smoothedRegions:0.000}, kinds {smoothedKinds:0%}{(double.IsNaN(guideLoss) ? "" : $", guide {guideLoss:0.00}")})  lr {learningRate:0.00e0}  |g| {gradNorm:0.00}  {perStep:0.00} s/step  elapsed {FormatDuration(elapsed)}  {eta}"));
                }

                if (_options.EvaluateEvery > 0 && !_options.IsVisionWarmup(step) && (done % _options.EvaluateEvery == 0 || done == _options.Steps))
                {
                    last = EvaluateTeacherForced(_options.EvaluationExamples);
                    _log.WriteLine($"  held-out exact match after {done} steps: {last.Summary()}");
                }

                if (done % _options.CheckpointEvery == 0 || done == _options.Steps)
                {
                    SaveCheckpoint(optimizer, new TrainingState(done, spentBefore + clock.Elapsed.TotalSeconds, _options));
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await producer;
            }
            catch (OperationCanceledException)
            {
            }
        }

        return last;
    }

    /// <summary>
    /// AdamW over two parameter groups, so the vision tower can have its own learning rate in the joint phase: the
    /// tower, then the rest (language model, projector, probe). Each group states β₂ and weight decay itself: a group's
    /// own defaults (β₂ 0.999, no weight decay) would otherwise replace the optimizer's.
    /// </summary>
    internal AdamW CreateOptimizer()
    {
        var stem = _options.FreezeStemInJointPhase ? Model.VisionStemParameters().ToList() : [];
        var stemSet = stem.ToHashSet(ReferenceEqualityComparer.Instance);
        var tower = Model.VisionTowerParameters().Where(p => !stemSet.Contains(p)).ToList();
        var towerSet = Model.VisionTowerParameters().ToHashSet(ReferenceEqualityComparer.Instance);
        var rest = Model.parameters().Where(p => !towerSet.Contains(p)).Concat(_probe.parameters()).ToList();
        AdamW.ParamGroup Group(IEnumerable<Parameter> members) =>
            new(members, lr: _options.PeakLearningRate, beta1: 0.9, beta2: _options.Beta2, weight_decay: _options.WeightDecay);

        // The groups' learning rates are set each step: [stem,] the rest of the vision tower, everything else.
        AdamW.ParamGroup[] groups = stem.Count > 0 ? [Group(stem), Group(tower), Group(rest)] : [Group(tower), Group(rest)];
        return optim.AdamW(groups, lr: _options.PeakLearningRate, beta1: 0.9, beta2: _options.Beta2, weight_decay: _options.WeightDecay);
    }

    /// <summary>
    /// Held-out exact match by teacher forcing: an answer counts when the argmax at each of its positions is the answer's
    /// token (end-of-turn included) — exactly when greedy decoding would produce it.
    /// </summary>
    public AccuracyTable EvaluateTeacherForced(int count, int batchSize = 16)
    {
        TorchRuntime.UseThreads(_options.Threads);
        var table = new AccuracyTable();
        using var noGrad = no_grad();
        for (var start = 0; start < count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var examples = Enumerable.Range(start, Math.Min(batchSize, count - start)).Select(i => _examples.Create(DataSplit.HeldOut, i)).ToList();
            var batch = new SceneBatch(examples, _tokensPerSide, _options.PositionLookup);
            var predicted = ScoredLogits(batch).argmax(-1).data<long>().ToArray();
            var offset = 0;
            for (var e = 0; e < examples.Count; e++)
            {
                var length = batch.AnswerLengths[e];
                var correct = true;
                for (var j = 0; j < length; j++)
                {
                    correct &= predicted[offset + j] == batch.Targets[offset + j];
                }

                offset += length;
                table.Add(examples[e].Question.Kind, examples[e].Layout, correct);
            }
        }

        return table;
    }

    /// <summary>Writes the served checkpoint: config.json + fp16 safetensors with the run's provenance in the metadata.</summary>
    public void SaveServedCheckpoint(string directory)
    {
        Model.eval();
        ModelCheckpoint.Save(Model, directory, asFloat16: true, new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["epd.load_format"] = "trained",
            ["epd.training_data"] = "generated scenes (EpdCluster.Training)",
            ["epd.training_steps"] = State.NextStep.ToString(CultureInfo.InvariantCulture),
            ["epd.training_batch_size"] = _options.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["epd.training_seconds"] = State.ElapsedSeconds.ToString("0", CultureInfo.InvariantCulture),
            ["epd.training_seed"] = _options.Seed.ToString(CultureInfo.InvariantCulture),
        });
        Model.train();
    }

    public void Dispose()
    {
        _probe.Dispose();
        Model.Dispose();
    }

    /// <summary>The step's losses, its products in the run's precision.</summary>
    private (Tensor Answer, Tensor Regions, Tensor? Guide, double KindAccuracy) ForwardLosses(SceneBatch batch, int step)
    {
        using var precision = _languageInBFloat16 ? ComputePrecision.BFloat16() : null;
        return _options.IsVisionWarmup(step) ? RegionLoss(batch) : Losses(batch, _options.IsVisionFrozen(step));
    }

    /// <summary>
    /// Cross-entropy on the answer tokens (each example's mean, averaged over examples), the region probe's loss on the
    /// image tokens (zero when turned off), the attention guide's loss (null when off or nothing to guide) and the
    /// probe's shape-kind accuracy.
    /// </summary>
    private (Tensor Answer, Tensor Regions, Tensor? Guide, double KindAccuracy) Losses(SceneBatch batch, bool visionFrozen)
    {
        var (logits, imageEmbeddings, guide) = Forward(batch, visionFrozen, guided: _options.AttentionGuideWeight > 0, training: true);
        var answer = (nn.functional.cross_entropy(logits, tensor(batch.Targets), reduction: nn.Reduction.None) * tensor(batch.ExampleWeights)).sum();
        var (regions, kinds) = _options.RegionLossWeight == 0 ? (zeros(1).squeeze(), double.NaN) : ProbeLoss(batch, imageEmbeddings);
        return (answer, regions, guide, kinds);
    }

    /// <summary>The region probe's loss alone: the vision tower and projector, no language model.</summary>
    private (Tensor Answer, Tensor Regions, Tensor? Guide, double KindAccuracy) RegionLoss(SceneBatch batch)
    {
        Tensor imageEmbeddings;
        using (_warmupInBFloat16 ? ComputePrecision.BFloat16() : null)
        {
            imageEmbeddings = Model.EncodeTiles(batch.PixelsTensor());
        }

        var (regions, kinds) = ProbeLoss(batch, imageEmbeddings, wordsTrain: false);
        return (zeros(1).squeeze(), regions, null, kinds);
    }

    /// <param name="wordsTrain">
    /// Whether a word-aligned probe's loss also moves the word embeddings. Not in the vision warm-up: the language
    /// model does not train there, and a gradient into its embedding matrix would make each warm-up step a third dearer
    /// (a dense [vocab, width] gradient and optimizer update); the image tokens learn to point at the words as they are.
    /// </param>
    private (Tensor Loss, double KindAccuracy) ProbeLoss(SceneBatch batch, Tensor imageEmbeddings, bool wordsTrain = true) =>
        _probe.Loss(imageEmbeddings, tensor(batch.RegionKinds), tensor(batch.RegionColours), tensor(batch.RegionCells), tensor(batch.RegionPositions), batch.PoolingTensor(), batch.PresenceTensor(),
            _probe.IsWordAligned ? new ProbeWords(WordEmbeddings(_words.Kinds, wordsTrain), WordEmbeddings(_colourWords, wordsTrain), _probe.ReadsPositionWords ? WordEmbeddings(_words.Positions, wordsTrain) : null) : null);

    /// <summary>Per row of <paramref name="tokens"/>, the sum of the embeddings of its tokens: [rows, width].</summary>
    private Tensor WordEmbeddings(long[,] tokens, bool train)
    {
        using (train ? null : no_grad())
        {
            return Model.EmbedPrompt(tensor(tokens), null, null).sum(1);
        }
    }

    /// <summary>
    /// The decoder layer whose attention heads (<see cref="GuideHeads"/>) the attention guide trains to look up the
    /// shape: the middle one. With <see cref="TrainerOptions.WordLookup"/> the same heads of the layer below are taught
    /// to read the question's naming words first.
    /// </summary>
    internal static int GuideLayer(Engine.Model.TextConfig text) => text.NumHiddenLayers / 2;

    /// <summary>
    /// The guided heads, one per <see cref="GuideLookup"/>: the first head for lookups by kind, and, with
    /// <paramref name="positionLookup"/>, for lookups by position the first head of the next key-value group, so that
    /// each lookup has keys of its own.
    /// </summary>
    internal static int[] GuideHeads(Engine.Model.TextConfig text, bool positionLookup) => positionLookup
        ? [0, text.NumKeyValueHeads > 1 ? text.NumAttentionHeads / text.NumKeyValueHeads : Math.Min(1, text.NumAttentionHeads - 1)]
        : [0];

    /// <summary>
    /// The attention guide: at each position that predicts an answer about one shape, the attention of the head that
    /// learns its lookup (softmax of the scaled query·key products over the conversation's tokens so far, exactly as the
    /// model attends) should fall on the image tokens that show that shape; the loss is the negative log of the share
    /// that does, averaged over the guided positions.
    /// </summary>
    /// <param name="queries">The guided heads' queries at every position of the flattened sequence: [positions, lookups, headDim].</param>
    /// <param name="keys">Their keys: [positions, lookups, headDim].</param>
    /// <param name="toWords">
    /// Guide the step before the lookup instead: attention on the question's naming words
    /// (<see cref="SceneBatch.GuideWordKeyPositions"/>) rather than on the image tokens that show the shape.
    /// </param>
    internal static Tensor AttentionGuideLoss(SceneBatch batch, Tensor queries, Tensor keys, bool toWords = false)
    {
        var guided = batch.GuideQueries.Length;
        var (lookups, headDim) = (queries.shape[1], queries.shape[2]);
        var span = arange(batch.LongestRow, dtype: int64).unsqueeze(0);
        var rowStarts = tensor(batch.GuideRowStarts);
        var queryPositions = tensor(batch.GuideQueries);
        var lookup = tensor(batch.GuideLookups);
        var keyPositions = (rowStarts.unsqueeze(1) + span).clamp_max(keys.shape[0] - 1);
        var visible = span.le((queryPositions - rowStarts).unsqueeze(1));

        // Rows of [positions · lookups, headDim]: each guided query reads its own lookup's head.
        var guidedQueries = queries.reshape(-1, headDim).index_select(0, (queryPositions * lookups) + lookup);
        var guidedKeys = keys.reshape(-1, headDim).index_select(0, ((keyPositions * lookups) + lookup.unsqueeze(1)).view(-1)).view(guided, batch.LongestRow, -1);
        var scores = guidedQueries.unsqueeze(1).mul(guidedKeys).sum(-1) / Math.Sqrt(headDim);
        var logShares = scores.masked_fill(visible.logical_not(), double.NegativeInfinity).log_softmax(-1);
        var shows = zeros([guided, batch.LongestRow], dtype: @bool);
        var keyQueries = tensor(toWords ? batch.GuideWordKeyQueries : batch.GuideKeyQueries);
        shows.index_put_(tensor(true), keyQueries, tensor(toWords ? batch.GuideWordKeyPositions : batch.GuideKeyPositions) - rowStarts.index_select(0, keyQueries));
        return -logShares.masked_fill(shows.logical_not(), double.NegativeInfinity).logsumexp(-1).mean();
    }

    /// <summary>bfloat16 products for the vision tower and projector of a training step, when the run uses them.</summary>
    private IDisposable? VisionPrecision(bool training) => training && _visionInBFloat16 ? ComputePrecision.BFloat16() : null;

    /// <summary>Logits at the batch's scored positions: [scored, vocab].</summary>
    internal Tensor ScoredLogits(SceneBatch batch) => Forward(batch).Logits;

    /// <summary>
    /// Logits at the batch's scored positions ([scored, vocab]), the image tokens the model read ([tokens, width]) and,
    /// when <paramref name="guided"/>, the attention guide's loss (null when the batch has nothing to guide).
    /// </summary>
    /// <param name="visionFrozen">Runs the vision tower without autograd (its output is a constant to the rest).</param>
    /// <param name="training">A training step: the run's precision applies (evaluation computes in float32, as served).</param>
    private (Tensor Logits, Tensor ImageEmbeddings, Tensor? GuideLoss) Forward(SceneBatch batch, bool visionFrozen = false, bool guided = false, bool training = false)
    {
        var width = Model.Config.Text.HiddenSize;
        Tensor features, imageEmbeddings;
        using (VisionPrecision(training))
        {
            using (visionFrozen ? no_grad() : null)
            {
                features = Model.VisionFeatures(batch.PixelsTensor());
            }

            imageEmbeddings = Model.Project(features);
        }

        var embeddings = Model.EmbedPrompt(batch.IdsTensor(), tensor(batch.ImagePositions), imageEmbeddings);
        var blocks = new List<Tensor>();
        var (guidedQueries, guidedKeys) = (new List<Tensor>(), new List<Tensor>());
        var (wordQueries, wordKeys) = (new List<Tensor>(), new List<Tensor>());
        var text = Model.Config.Text;
        var guide = guided && batch.GuideQueries.Length > 0;
        var guideWords = guide && batch.GuideWordKeyQueries.Length > 0;
        var start = 0L;
        foreach (var (rows, length) in batch.Groups)
        {
            blocks.Add(Model.ForwardFullHidden(embeddings.narrow(0, start, rows * length).view(rows, length, width), guide ? (layer, q, k) =>
            {
                var (queries, keys) = layer == GuideLayer(text) ? (guidedQueries, guidedKeys)
                    : guideWords && layer == GuideLayer(text) - 1 ? (wordQueries, wordKeys)
                    : (null, null);
                queries?.Add(q.index_select(2, tensor(_guideQueryHeads)).reshape(-1, _guideQueryHeads.Length, text.HeadDim));
                keys?.Add(k.index_select(2, tensor(_guideKeyHeads)).reshape(-1, _guideKeyHeads.Length, text.HeadDim));
            } : null).view(-1, width));
            start += rows * length;
        }

        var hidden = (blocks.Count == 1 ? blocks[0] : cat(blocks, 0)).index_select(0, tensor(batch.PredictedPositions));
        var guideLoss = guide ? AttentionGuideLoss(batch, cat(guidedQueries, 0), cat(guidedKeys, 0)) : null;
        if (guideWords)
        {
            guideLoss = guideLoss! + AttentionGuideLoss(batch, cat(wordQueries, 0), cat(wordKeys, 0), toWords: true);
        }

        return (Model.Logits(hidden), imageEmbeddings, guideLoss);
    }

    private async Task ProduceAsync(ChannelWriter<SceneBatch> writer, int firstStep, CancellationToken cancellationToken)
    {
        try
        {
            for (var step = firstStep; step < _options.Steps; step++)
            {
                var examples = new SceneExample[_options.BatchSize];
                for (var i = 0; i < examples.Length; i++)
                {
                    var index = ((long)step * _options.BatchSize) + i;
                    examples[i] = _options.StreamAt(step) switch
                    {
                        TrainingStream.EasyScenes => _examples.CreateWarmup(index),
                        TrainingStream.SingleTileScenes => _examples.CreateSingleTile(index),
                        TrainingStream.MixedScenes => _examples.Create(DataSplit.Train, index),
                        TrainingStream.SingleTileChats => _examples.CreateSingleTile(index, _options.QuestionsPerImage),
                        _ => _examples.Create(DataSplit.Train, index, _options.QuestionsPerImage),
                    };
                }

                await writer.WriteAsync(new SceneBatch(examples, _tokensPerSide, _options.PositionLookup, _options.WordLookup && _options.AttentionGuideWeight > 0 ? _words : null), cancellationToken);
            }

            writer.Complete();
        }
        catch (Exception e)
        {
            writer.Complete(e);
            throw;
        }
    }

    private void SaveCheckpoint(TorchSharp.Modules.AdamW optimizer, TrainingState state)
    {
        // Written beside the old checkpoint, then swapped in: a crash mid-write leaves the previous one intact.
        var temp = CheckpointDirectory + ".tmp";
        if (Directory.Exists(temp))
        {
            Directory.Delete(temp, recursive: true);
        }

        ModelCheckpoint.Save(Model, temp, asFloat16: false, new Dictionary<string, string> { ["format"] = "pt", ["epd.load_format"] = "training-checkpoint" });
        SafetensorsFile.Write(Path.Combine(temp, ProbeFileName), _probe.state_dict(), asFloat16: false, null);
        optimizer.save_state_dict(Path.Combine(temp, OptimizerFileName));
        File.WriteAllText(Path.Combine(temp, StateFileName), JsonSerializer.Serialize(state, JsonOptions));
        if (Directory.Exists(CheckpointDirectory))
        {
            Directory.Delete(CheckpointDirectory, recursive: true);
        }

        Directory.Move(temp, CheckpointDirectory);
        State = state;
        _log.WriteLine($"  checkpoint: step {state.NextStep} → {CheckpointDirectory}");
    }

    private string Bar(int done)
    {
        const int Width = 24;
        var filled = (int)((long)done * Width / _options.Steps);
        return "[" + new string('#', filled) + new string('.', Width - filled) + "]";
    }

    public static string FormatDuration(double seconds) =>
        seconds >= 3600 ? $"{(int)(seconds / 3600)}h{(int)(seconds % 3600 / 60):00}m"
        : seconds >= 60 ? $"{(int)(seconds / 60)}m{(int)(seconds % 60):00}s"
        : $"{seconds:0}s";
}
