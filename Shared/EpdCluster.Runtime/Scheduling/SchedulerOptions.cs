namespace EpdCluster.Runtime.Scheduling;

/// <summary>The scheduler's SLOs and policy. Section <c>Epd:Scheduler</c> (read by every worker; the scheduler grain lives on one).</summary>
public sealed class SchedulerOptions
{
    public const string SectionName = "Epd:Scheduler";

    /// <summary>Whether the scheduler moves workers by itself; off, it still decides, logs and counts (the admin API toggles it).</summary>
    public bool Automatic { get; set; } = true;

    /// <summary>Time-to-first-token SLO (the EPD paper's two-image setting, as EPDServe's planner uses it: 1.4 s).</summary>
    public double TtftSloSeconds { get; set; } = 1.4;

    /// <summary>Time-per-output-token SLO (the EPD paper's setting: 0.04 s).</summary>
    public double TpotSloSeconds { get; set; } = 0.04;

    /// <summary>Share of requests that must meet an SLO (goodput's 90 %, as EPDServe and DistServe define it).</summary>
    public double AttainmentTarget { get; set; } = 0.9;

    /// <summary>Sliding window of request samples behind the attainment figures.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>No move within this long after the last one, so the window fills with requests served by the new split (Dynamo's planner: 30 s).</summary>
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the policy runs; at most one move each time (EPDServe switches roles every 5 s).</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Workers every role keeps, whatever the policy or a manual switch wants.</summary>
    public int MinWorkersPerRole { get; set; } = 1;

    /// <summary>Fewest requests in the window for its attainment to count (fewer say too little to move a worker for).</summary>
    public int MinSamples { get; set; } = 20;

    /// <summary>Consecutive evaluations a stage must miss its SLO before it gets a worker (hysteresis against one bad window).</summary>
    public int ConsecutiveMisses { get; set; } = 2;

    /// <summary>
    /// A stage gives a worker away only if its SLO attainment is at least the target plus this margin: between the
    /// two, nothing moves (the hysteresis band).
    /// </summary>
    public double SlackMargin { get; set; } = 0.05;

    /// <summary>
    /// A stage gives a worker away only if its p90 stage time, scaled to one worker fewer, stays under this share of
    /// its SLO (Dynamo's load planner scales down below 0.5 utilisation).
    /// </summary>
    public double SlackPressure { get; set; } = 0.5;

    /// <summary>Decisions and switch reports kept for the admin API.</summary>
    public int History { get; set; } = 100;

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the bad setting.</summary>
    public void Validate()
    {
        Require(TtftSloSeconds > 0, nameof(TtftSloSeconds), "positive");
        Require(TpotSloSeconds > 0, nameof(TpotSloSeconds), "positive");
        Require(AttainmentTarget is > 0 and < 1, nameof(AttainmentTarget), "between 0 and 1");
        Require(Window > TimeSpan.Zero, nameof(Window), "positive");
        Require(Cooldown >= TimeSpan.Zero, nameof(Cooldown), "zero or positive");
        Require(EvaluationInterval > TimeSpan.Zero, nameof(EvaluationInterval), "positive");
        Require(MinWorkersPerRole >= 1, nameof(MinWorkersPerRole), "at least 1");
        Require(MinSamples >= 1, nameof(MinSamples), "at least 1");
        Require(ConsecutiveMisses >= 1, nameof(ConsecutiveMisses), "at least 1");
        Require(SlackMargin >= 0 && AttainmentTarget + SlackMargin <= 1, nameof(SlackMargin), "zero or positive, with AttainmentTarget + SlackMargin at most 1");
        Require(SlackPressure is > 0 and <= 1, nameof(SlackPressure), "in (0, 1]");
        Require(History >= 1, nameof(History), "at least 1");
    }

    private static void Require(bool condition, string name, string rule)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"{SectionName}:{name} must be {rule}.");
        }
    }
}
