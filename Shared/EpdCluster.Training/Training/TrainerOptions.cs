namespace EpdCluster.Training.Training;

/// <summary>Everything one training run depends on; saved beside its checkpoints so a resumed run continues the same run.</summary>
public sealed record TrainerOptions
{
    /// <summary>Optimizer steps in the whole run (the cosine schedule's length).</summary>
    public int Steps { get; init; } = 1800;

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
        Require(WarmupSteps >= 0 && WarmupSteps < Steps, "warm-up must be shorter than the run");
        Require(FinalLearningRateFraction is >= 0 and <= 1, "the final learning-rate fraction must be in [0, 1]");
        Require(WeightDecay >= 0 && GradientClip > 0, "weight decay must be non-negative and the gradient clip positive");
        Require(Beta2 is > 0 and < 1, "beta2 must be in (0, 1)");
        Require(CheckpointEvery > 0 && EvaluateEvery >= 0 && EvaluationExamples > 0, "checkpoint and evaluation intervals must be positive");
        Require(Threads >= 0, "threads must be non-negative");
        Require(RegionLossWeight >= 0, "the region loss weight must be non-negative");
    }

    /// <summary>Linear warm-up, then cosine decay from the peak to <see cref="FinalLearningRateFraction"/> of it.</summary>
    public double LearningRateAt(int step)
    {
        if (step < WarmupSteps)
        {
            return PeakLearningRate * (step + 1) / WarmupSteps;
        }

        var progress = Math.Min(1.0, (double)(step - WarmupSteps) / Math.Max(1, Steps - WarmupSteps));
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
