using EpdCluster.Training.Questions;

namespace EpdCluster.Training.Training;

/// <summary>Everything one training run depends on; saved beside its checkpoints so a resumed run continues the same run.</summary>
public sealed record TrainerOptions
{
    /// <summary>Optimizer steps in the whole run (the cosine schedule's length).</summary>
    public int Steps { get; init; } = 2400;

    /// <summary>Examples (one image and one question each) per step.</summary>
    public int BatchSize { get; init; } = 16;

    public double PeakLearningRate { get; init; } = 1.5e-3;

    /// <summary>Linear warm-up from zero, in steps.</summary>
    public int WarmupSteps { get; init; } = 100;

    /// <summary>The cosine decays to this fraction of the peak.</summary>
    public double FinalLearningRateFraction { get; init; } = 0.05;

    public double WeightDecay { get; init; } = 0.01;

    public double Beta2 { get; init; } = 0.98;

    /// <summary>The global gradient norm is clipped to this.</summary>
    public double GradientClip { get; init; } = 1.0;

    /// <summary>
    /// The run's first steps train only the vision tower, projector and region probe (no language model, a third of a
    /// joint step's cost): the first <see cref="EasyWarmupFraction"/> of them on easy scenes (one large shape), then
    /// single-tile scenes of the normal stream (a third of the tiles of a mixed batch, so three times the scenes), then
    /// <see cref="MixedWarmupSteps"/> on the normal stream's images. The joint phase that follows has its own warm-up
    /// and the cosine decay.
    /// </summary>
    public int VisionWarmupSteps { get; init; } = 1500;

    public double EasyWarmupFraction { get; init; } = 0.1;

    /// <summary>
    /// The warm-up's last steps use the normal stream's images (half multi-tile: tiles that cut shapes, thumbnails
    /// that shrink them) instead of single-tile scenes; each costs about three single-tile steps.
    /// </summary>
    public int MixedWarmupSteps { get; init; }

    /// <summary>
    /// Questions per training image in the joint phase: the first as served, the rest as follow-up turns of the same
    /// chat. The image is encoded once for all of them, so each step teaches several answers for little more than one
    /// image's cost.
    /// </summary>
    public int QuestionsPerImage { get; init; } = 4;

    /// <summary>
    /// The joint phase's first steps ask their questions about single-tile scenes only: about half a mixed step's cost,
    /// so the language model reads twice the answers per minute before it meets tiled images and their thumbnails
    /// (measured worse than the mixed stream throughout; off by default).
    /// </summary>
    public int SingleTileJointSteps { get; init; }

    /// <summary>
    /// The vision tower's learning rate in the joint phase, as a fraction of the schedule's: 1 trains it like the rest;
    /// 0 freezes it after the warm-up and runs it without autograd, which makes a joint step cheaper (its backward
    /// pass is the costliest part of one); the projector always trains.
    /// </summary>
    public double JointVisionLearningRateScale { get; init; } = 1;

    /// <summary>
    /// The vision tower's convolutional stem stops training after the warm-up, and the joint phase runs it without
    /// autograd: its backward pass (the costliest convolutions of a step, at full resolution) is skipped, while the rest
    /// of the tower keeps learning from the answers.
    /// </summary>
    public bool FreezeStemInJointPhase { get; init; } = true;

    /// <summary>How often training asks each kind of question.</summary>
    public QuestionMix QuestionMix { get; init; } = QuestionMix.Default;

    /// <summary>
    /// The region probe reads shape kind and colour from each image token by its cosine to the language model's own
    /// embeddings of the words ("triangle", "red") instead of with free classifiers: the projector learns to put a red
    /// triangle into those words' directions, which the language model already reads and writes.
    /// </summary>
    public bool WordAlignedProbe { get; init; } = true;

    /// <summary>
    /// The attention guide teaches the lookup by position ("Which shape is on the right?") to a head of its own, apart
    /// from the lookups by kind ("What colour is the star?").
    /// </summary>
    public bool PositionLookup { get; init; } = true;

    /// <summary>
    /// The attention guide also teaches the step before each lookup: in the layer below the looking-up heads, the same
    /// heads look from the answer's position at the question's words that name the shape — its kind (" star"), or the
    /// place (" top", " left") — so that the looking-up head's query there holds what to look for.
    /// </summary>
    public bool WordLookup { get; init; } = true;

    /// <summary>
    /// The word-aligned probe also reads where in the image a token is, against the embeddings of the position's words
    /// ("top" + "left"), so a shape at the top left points where "at the top left" does in a question.
    /// </summary>
    public bool PositionWords { get; init; }

    /// <summary>
    /// Weight of the attention guide next to the answer loss (0: off): one attention head of the language model's
    /// middle layer is trained to look, from the position that starts an answer about one shape, at the image tokens
    /// that show that shape — the lookup that binding a colour to a named shape needs.
    /// </summary>
    public double AttentionGuideWeight { get; init; } = 1;

    /// <summary>
    /// The precision of the model's products while training (<see cref="EpdCluster.Engine.Model.ComputePrecision"/>):
    /// bfloat16 products with float32 weights, norms and losses make a step a fifth to a quarter cheaper on CPUs that
    /// multiply bfloat16 natively. In the vision warm-up they cost nothing in accuracy; in the joint phase both runs
    /// that used them ended about 9 points below the float32 run on colour, shape and count (they never learnt to bind
    /// colours to named shapes). So <see cref="TrainingPrecision.Auto"/>, the default, uses them in the warm-up only,
    /// and only where they are native. Evaluation and the served checkpoint are float32 either way.
    /// </summary>
    public TrainingPrecision Precision { get; init; } = TrainingPrecision.Auto;

    /// <summary>Weight of the region probe's loss (<see cref="RegionProbe"/>) next to the answer loss; 0 turns it off.</summary>
    public double RegionLossWeight { get; init; } = 0.5;

    /// <summary>Seeds the initial weights; the data stream is fixed by example index.</summary>
    public long Seed { get; init; } = 7;

    /// <summary>A resumable checkpoint (weights, optimizer, progress) is written every this many steps.</summary>
    public int CheckpointEvery { get; init; } = 200;

    /// <summary>Held-out exact match (teacher-forced, equal to greedy) is measured every this many steps; 0: never.</summary>
    public int EvaluateEvery { get; init; } = 200;

    /// <summary>Held-out examples per periodic evaluation.</summary>
    public int EvaluationExamples { get; init; } = 100;

    /// <summary>Torch intra-op threads; 0: all cores.</summary>
    public int Threads { get; init; }

    public void Validate()
    {
        Require(Steps > 0, "steps must be positive");
        Require(BatchSize is > 0 and <= 512, "batch size must be between 1 and 512");
        Require(PeakLearningRate is > 0 and < 1, "the learning rate must be in (0, 1)");
        Require(VisionWarmupSteps >= 0 && VisionWarmupSteps < Steps, $"the vision warm-up ({VisionWarmupSteps} steps) must be shorter than the run ({Steps} steps)");
        Require(WarmupSteps >= 0 && WarmupSteps < Steps - VisionWarmupSteps, $"the learning-rate warm-up ({WarmupSteps} steps) must be shorter than the joint phase ({Steps - VisionWarmupSteps} steps after the vision warm-up)");
        Require(EasyWarmupFraction is >= 0 and <= 1, "the easy warm-up fraction must be in [0, 1]");
        Require(MixedWarmupSteps >= 0 && MixedWarmupSteps <= VisionWarmupSteps - EasyWarmupSteps,
            $"the mixed warm-up ({MixedWarmupSteps} steps) must fit in the vision warm-up after its easy part ({VisionWarmupSteps} − {EasyWarmupSteps} steps)");
        Require(SingleTileJointSteps >= 0 && SingleTileJointSteps < Steps - VisionWarmupSteps,
            $"the single-tile joint steps ({SingleTileJointSteps}) must be fewer than the joint phase's ({Steps - VisionWarmupSteps})");
        Require(VisionWarmupSteps == 0 || RegionLossWeight > 0, "the vision warm-up needs the region probe (region loss weight above 0)");
        Require(FinalLearningRateFraction is >= 0 and <= 1, "the final learning-rate fraction must be in [0, 1]");
        Require(WeightDecay >= 0 && GradientClip > 0, "weight decay must be non-negative and the gradient clip positive");
        Require(Beta2 is > 0 and < 1, "beta2 must be in (0, 1)");
        Require(CheckpointEvery > 0 && EvaluateEvery >= 0 && EvaluationExamples > 0, "checkpoint and evaluation intervals must be positive");
        Require(Threads >= 0, "threads must be non-negative");
        Require(QuestionsPerImage is >= 1 and <= 16, "questions per image must be between 1 and 16");
        Require(RegionLossWeight >= 0, "the region loss weight must be non-negative");
        Require(AttentionGuideWeight >= 0, "the attention guide's weight must be non-negative");
        Require(!PositionWords || WordAlignedProbe, "position words need the word-aligned probe");
        QuestionMix.Validate();
        Require(JointVisionLearningRateScale is >= 0 and <= 1, "the joint phase's vision learning-rate scale must be in [0, 1]");
    }

    /// <summary>Whether the vision tower is frozen at <paramref name="step"/> (the joint phase with a scale of 0).</summary>
    public bool IsVisionFrozen(int step) => !IsVisionWarmup(step) && JointVisionLearningRateScale == 0;

    /// <summary>The vision tower's learning rate at <paramref name="step"/>.</summary>
    public double VisionLearningRateAt(int step) => LearningRateAt(step) * (IsVisionWarmup(step) ? 1 : JointVisionLearningRateScale);

    /// <summary>Whether the stem is frozen at <paramref name="step"/>: with the tower, or on its own (<see cref="FreezeStemInJointPhase"/>).</summary>
    public bool IsStemFrozen(int step) => IsVisionFrozen(step) || (!IsVisionWarmup(step) && FreezeStemInJointPhase);

    /// <summary>The stem's learning rate at <paramref name="step"/>.</summary>
    public double StemLearningRateAt(int step) => IsStemFrozen(step) ? 0 : VisionLearningRateAt(step);

    /// <summary>The warm-up's first steps, on easy scenes: <see cref="EasyWarmupFraction"/> of it.</summary>
    public int EasyWarmupSteps => (int)Math.Ceiling(VisionWarmupSteps * EasyWarmupFraction);

    /// <summary>Which images <paramref name="step"/> trains on.</summary>
    public TrainingStream StreamAt(int step) =>
        step < EasyWarmupSteps ? TrainingStream.EasyScenes
        : step < VisionWarmupSteps - MixedWarmupSteps ? TrainingStream.SingleTileScenes
        : IsVisionWarmup(step) ? TrainingStream.MixedScenes
        : step < VisionWarmupSteps + SingleTileJointSteps ? TrainingStream.SingleTileChats
        : TrainingStream.Chats;

    /// <summary>Whether <paramref name="step"/> trains the vision side only.</summary>
    public bool IsVisionWarmup(int step) => step < VisionWarmupSteps;

    /// <summary>
    /// Vision warm-up: linear warm-up, then the peak. Joint phase: linear warm-up again (the language model starts
    /// there), then cosine decay from the peak to <see cref="FinalLearningRateFraction"/> of it at the last step.
    /// </summary>
    public double LearningRateAt(int step)
    {
        var phaseStep = IsVisionWarmup(step) ? step : step - VisionWarmupSteps;
        if (phaseStep < WarmupSteps)
        {
            return PeakLearningRate * (phaseStep + 1) / WarmupSteps;
        }

        if (IsVisionWarmup(step))
        {
            return PeakLearningRate;
        }

        var jointSteps = Steps - VisionWarmupSteps;
        var progress = Math.Min(1.0, (double)(phaseStep - WarmupSteps) / Math.Max(1, jointSteps - WarmupSteps));
        var cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));
        return PeakLearningRate * (FinalLearningRateFraction + ((1 - FinalLearningRateFraction) * cosine));
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"Invalid training options: {message}.");
        }
    }
}

/// <summary>The precision of a training step's products.</summary>
public enum TrainingPrecision
{
    /// <summary><see cref="BFloat16Warmup"/> where the CPU multiplies bfloat16 natively, float32 elsewhere (where libtorch emulates bfloat16, slower).</summary>
    Auto,

    Float32,

    /// <summary>bfloat16 products in the vision tower and projector (half a joint step's cost, most of it the stem's convolutions), float32 in the language model.</summary>
    BFloat16Vision,

    /// <summary>bfloat16 products, float32 weights, norms, softmax and losses (mixed precision).</summary>
    BFloat16,

    /// <summary>bfloat16 products in the vision warm-up (a quarter of its cost), float32 in the joint phase.</summary>
    BFloat16Warmup,
}

/// <summary>The examples a training step draws.</summary>
public enum TrainingStream
{
    /// <summary>Warm-up: one large shape per single-tile image.</summary>
    EasyScenes,

    /// <summary>Warm-up: single-tile scenes of the normal stream.</summary>
    SingleTileScenes,

    /// <summary>Warm-up: the normal stream's images, half of them multi-tile.</summary>
    MixedScenes,

    /// <summary>Joint phase, first <see cref="TrainerOptions.SingleTileJointSteps"/>: single-tile scenes, several questions per image.</summary>
    SingleTileChats,

    /// <summary>Joint phase: the normal stream, several questions per image.</summary>
    Chats,
}
