using System.Diagnostics;
using System.Globalization;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Weights;
using EpdCluster.Training.Data;
using EpdCluster.Training.Evaluation;
using EpdCluster.Training.Questions;
using EpdCluster.Training.Training;

const string Usage = """
    epd-train — trains epd-tiny on generated scenes and evaluates checkpoints.

      epd-train train [--out DIR] [--work-dir DIR] [--steps N] [--batch-size N] [--lr X] [--warmup N]
                      [--vision-warmup N] [--easy-fraction X] [--mixed-warmup N]
                      [--questions-per-image N] [--question-mix colour,shape,count,yesno,caption] [--joint-vision-lr X] [--freeze-stem on|off]
                      [--single-tile-joint N] [--plain-probe] [--position-words on|off] [--position-lookup on|off] [--word-lookup on|off] [--attention-guide X] [--precision auto|fp32|bf16-warmup|bf16-vision|bf16]
                      [--seed N] [--checkpoint-every N] [--eval-every N] [--eval-examples N] [--threads N] [--fresh]
          Trains from the seed (or resumes the run in --work-dir), then writes the fp16 served checkpoint to --out
          and prints held-out accuracy through the serving engine.
      epd-train eval --model DIR [--count N] [--first N] [--show-wrong N]
          Asks --count held-out questions through the serving engine and prints the accuracy table.
      epd-train samples [--out DIR] [--count N] [--split train|held-out]
          Writes generated images (PNG) and their questions and answers (questions.tsv) to look at.
    """;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(Usage);
    return 0;
}

try
{
    var options = ParseOptions(args.Skip(1).ToArray());
    return args[0] switch
    {
        "train" => await TrainAsync(options),
        "eval" => await EvaluateAsync(options),
        "samples" => WriteSamples(options),
        _ => throw new ArgumentException($"Unknown command '{args[0]}'."),
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"epd-train: {e.Message}");
    Console.Error.WriteLine(Usage);
    return 2;
}

static async Task<int> TrainAsync(Dictionary<string, string?> options)
{
    var defaults = new TrainerOptions();
    var trainerOptions = new TrainerOptions
    {
        Steps = Int(options, "steps", defaults.Steps),
        BatchSize = Int(options, "batch-size", defaults.BatchSize),
        PeakLearningRate = Double(options, "lr", defaults.PeakLearningRate),
        WarmupSteps = Int(options, "warmup", defaults.WarmupSteps),
        VisionWarmupSteps = Int(options, "vision-warmup", defaults.VisionWarmupSteps),
        EasyWarmupFraction = Double(options, "easy-fraction", defaults.EasyWarmupFraction),
        MixedWarmupSteps = Int(options, "mixed-warmup", defaults.MixedWarmupSteps),
        QuestionsPerImage = Int(options, "questions-per-image", defaults.QuestionsPerImage),
        QuestionMix = Text(options, "question-mix", null) is { } mix ? QuestionMix.Parse(mix) : defaults.QuestionMix,
        JointVisionLearningRateScale = Double(options, "joint-vision-lr", defaults.JointVisionLearningRateScale),
        SingleTileJointSteps = Int(options, "single-tile-joint", defaults.SingleTileJointSteps),
        FreezeStemInJointPhase = Switch(options, "freeze-stem", defaults.FreezeStemInJointPhase),
        WordAlignedProbe = !options.ContainsKey("plain-probe") && defaults.WordAlignedProbe,
        PositionLookup = Switch(options, "position-lookup", defaults.PositionLookup),
        WordLookup = Switch(options, "word-lookup", defaults.WordLookup),
        PositionWords = Switch(options, "position-words", defaults.PositionWords && !options.ContainsKey("plain-probe")),
        AttentionGuideWeight = Double(options, "attention-guide", defaults.AttentionGuideWeight),
        Precision = Text(options, "precision", null) switch
        {
            null => defaults.Precision,
            "auto" => TrainingPrecision.Auto,
            "bf16" or "bfloat16" => TrainingPrecision.BFloat16,
            "bf16-vision" => TrainingPrecision.BFloat16Vision,
            "bf16-warmup" => TrainingPrecision.BFloat16Warmup,
            "fp32" or "float32" => TrainingPrecision.Float32,
            var other => throw new ArgumentException($"--precision must be auto, fp32, bf16-warmup, bf16-vision or bf16, not '{other}'."),
        },
        Seed = Int(options, "seed", (int)defaults.Seed),
        CheckpointEvery = Int(options, "checkpoint-every", defaults.CheckpointEvery),
        EvaluateEvery = Int(options, "eval-every", defaults.EvaluateEvery),
        EvaluationExamples = Int(options, "eval-examples", defaults.EvaluationExamples),
        Threads = Int(options, "threads", defaults.Threads),
    };
    var output = Path.GetFullPath(Text(options, "out", Path.Combine("models", "epd-tiny")));
    var work = Path.GetFullPath(Text(options, "work-dir", Path.Combine(".epd", "train")));
    if (options.ContainsKey("fresh") && Directory.Exists(work))
    {
        Directory.Delete(work, recursive: true);
    }

    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cancel.Cancel();
        Console.Error.WriteLine("Stopping after the current step; the last checkpoint resumes the run.");
    };

    Console.WriteLine($"Training epd-tiny: {trainerOptions.Steps} steps × {trainerOptions.BatchSize} examples, peak lr {trainerOptions.PeakLearningRate}, seed {trainerOptions.Seed}; work directory {work}");
    using var trainer = new SceneTrainer(EpdModelConfig.Tiny, trainerOptions, work, Console.Out);
    try
    {
        await trainer.RunAsync(cancel.Token);
    }
    catch (OperationCanceledException)
    {
        Console.Error.WriteLine($"Stopped; resume with the same command (last checkpoint: step {trainer.State.NextStep}).");
        return 130;
    }

    trainer.SaveServedCheckpoint(output);
    Console.WriteLine($"Wrote the served checkpoint (fp16) to {output} after {SceneTrainer.FormatDuration(trainer.State.ElapsedSeconds)} of training.");
    using var served = ModelCheckpoint.Load(output);
    await PrintServedAccuracyAsync(served, Int(options, "eval-examples", 500), 0, 5);
    return 0;
}

static async Task<int> EvaluateAsync(Dictionary<string, string?> options)
{
    var directory = Text(options, "model", null) ?? throw new ArgumentException("eval needs --model DIR.");
    using var model = ModelCheckpoint.Load(directory);
    await PrintServedAccuracyAsync(model, Int(options, "count", 500), Int(options, "first", 0), Int(options, "show-wrong", 10));
    return 0;
}

static int WriteSamples(Dictionary<string, string?> options)
{
    var directory = Path.GetFullPath(Text(options, "out", Path.Combine(".epd", "samples")));
    var split = Text(options, "split", "held-out") switch
    {
        "train" => DataSplit.Train,
        "held-out" => DataSplit.HeldOut,
        var other => throw new ArgumentException($"--split must be train or held-out, not '{other}'."),
    };
    var factory = new SceneExampleFactory(EpdModelConfig.Tiny);
    Directory.CreateDirectory(directory);
    var lines = new List<string> { "file\twidth\theight\ttiles\tquestion\tanswer" };
    for (var i = 0; i < Int(options, "count", 20); i++)
    {
        var example = factory.Create(split, i);
        var file = $"{split.ToString().ToLowerInvariant()}-{i:0000}.png";
        File.WriteAllBytes(Path.Combine(directory, file), example.Png);
        lines.Add($"{file}\t{example.Scene.Width}\t{example.Scene.Height}\t{example.Image.TileCount}\t{example.Question.Text}\t{example.Question.Answer}");
    }

    File.WriteAllLines(Path.Combine(directory, "questions.tsv"), lines);
    Console.WriteLine($"Wrote {lines.Count - 1} samples to {directory}.");
    return 0;
}

static async Task PrintServedAccuracyAsync(MultimodalModel model, int count, int first, int showWrong)
{
    var clock = Stopwatch.StartNew();
    var (table, answers) = await ServedAnswerEvaluator.EvaluateAsync(model, count, first);
    Console.WriteLine($"Held-out exact match through the serving engine, {count} questions (held-out seeds {first}..{first + count - 1}), {clock.Elapsed.TotalSeconds:0.0} s:");
    Console.WriteLine(table.ToMarkdown());
    var wrongReplies = answers.Where(a => !a.IsCorrect).ToList();
    if (wrongReplies.Count > 0)
    {
        Console.WriteLine("Wrong replies name:");
        foreach (var kind in wrongReplies.GroupBy(a => a.Example.Question.Kind).OrderBy(g => g.Key))
        {
            var named = kind.GroupBy(a => a.Mistake).OrderByDescending(g => g.Count()).Select(g => $"{g.Key.Describe()} {g.Count()}");
            Console.WriteLine($"  {kind.Key}: {string.Join(", ", named)}");
        }
    }

    foreach (var wrong in wrongReplies.Take(showWrong))
    {
        Console.WriteLine($"  wrong: [{wrong.Example.Layout}, {wrong.Example.Image.TileCount} tiles] \"{wrong.Example.Question.Text}\" expected \"{wrong.Example.Question.Answer}\", got \"{wrong.Reply}\"");
    }
}

static Dictionary<string, string?> ParseOptions(string[] args)
{
    var options = new Dictionary<string, string?>(StringComparer.Ordinal);
    for (var i = 0; i < args.Length; i++)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Unexpected argument '{args[i]}'.");
        }

        var name = args[i][2..];
        options[name] = name is "fresh" or "plain-probe" ? null : (i + 1 < args.Length ? args[++i] : throw new ArgumentException($"--{name} needs a value."));
    }

    return options;
}

static string Text(Dictionary<string, string?> options, string name, string? fallback) =>
    options.TryGetValue(name, out var value) && value is not null ? value : fallback!;

static bool Switch(Dictionary<string, string?> options, string name, bool fallback) =>
    !options.TryGetValue(name, out var value) ? fallback
    : value switch
    {
        "on" => true,
        "off" => false,
        _ => throw new ArgumentException($"--{name} must be on or off, not '{value}'."),
    };

static int Int(Dictionary<string, string?> options, string name, int fallback) =>
    !options.TryGetValue(name, out var value) ? fallback
    : int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed
    : throw new ArgumentException($"--{name} must be an integer, not '{value}'.");

static double Double(Dictionary<string, string?> options, string name, double fallback) =>
    !options.TryGetValue(name, out var value) ? fallback
    : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed
    : throw new ArgumentException($"--{name} must be a number, not '{value}'.");
