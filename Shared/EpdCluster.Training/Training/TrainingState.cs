namespace EpdCluster.Training.Training;

/// <summary>Progress of a run, written beside each checkpoint: the next step to run and the compute time spent so far.</summary>
public sealed record TrainingState(int NextStep, double ElapsedSeconds, TrainerOptions Options);
