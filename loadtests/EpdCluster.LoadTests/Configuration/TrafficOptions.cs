namespace EpdCluster.LoadTests.Configuration;

/// <summary>How requests arrive in one step: vLLM bench serve's rate, burstiness, concurrency cap and ramp-up, bounded by count and time.</summary>
internal sealed record TrafficOptions
{
    /// <summary>vLLM bench serve's default request count (<c>--num-prompts</c>).</summary>
    public const int DefaultNumRequests = 1000;

    /// <summary>Safety cap on requests in a duration-bounded step, so a duration alone never means an unbounded count.</summary>
    public const int DurationRequestCap = 100_000;

    /// <summary>A step that runs longer than an hour is stopped: capacity planning needs many short runs, not one endless one.</summary>
    public static readonly TimeSpan DefaultMaxStepDuration = TimeSpan.FromHours(1);

    /// <summary>Requests per second; <see cref="double.PositiveInfinity"/> sends everything at once (vLLM's default <c>inf</c>).
    /// Null: replay the workload's own timestamps when it has them, otherwise <c>inf</c>.</summary>
    public double? RequestRate { get; init; }

    /// <summary>Gamma shape of the inter-arrival times: 1 = Poisson, lower = burstier, higher = more regular (vLLM's default 1).</summary>
    public double Burstiness { get; init; } = 1.0;

    /// <summary>Most requests in flight at once; arrivals beyond it wait (vLLM's <c>--max-concurrency</c>). Null: no cap.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>Requests in the step. Null with a duration: as many as arrive within it (at most <see cref="DurationRequestCap"/>).</summary>
    public int? NumRequests { get; init; }

    /// <summary>Stop issuing arrivals after this long. Null: bounded by <see cref="NumRequests"/> alone.</summary>
    public TimeSpan? Duration { get; init; }

    public RampUp? RampUp { get; init; }

    /// <summary>Divides the workload's own timestamps (trace and dataset replay): 2 replays twice as fast.</summary>
    public double TimestampSpeedup { get; init; } = 1.0;

    /// <summary>Hard stop for the whole step, drain included; requests still open then are cancelled.</summary>
    public TimeSpan MaxStepDuration { get; init; } = DefaultMaxStepDuration;

    /// <summary>The count bound that applies: the request count, or the duration cap.</summary>
    public int RequestLimit => NumRequests ?? (Duration is null ? DefaultNumRequests : DurationRequestCap);

    /// <summary>Throws <see cref="LoadOptionsException"/> naming <paramref name="where"/>. <paramref name="timestampsReplayed"/>: a step
    /// without a rate follows the workload's timestamps (false: it sends at an infinite rate).</summary>
    public void Validate(string where, bool timestampsReplayed)
    {
        if (RequestRate is { } rate && (double.IsNaN(rate) || rate <= 0))
        {
            throw new LoadOptionsException($"{where}: the request rate must be a positive number of requests per second or 'inf' (got {rate}).");
        }

        if (!(Burstiness > 0) || double.IsInfinity(Burstiness))
        {
            throw new LoadOptionsException($"{where}: burstiness must be a positive finite gamma shape (1 = Poisson), not {Burstiness}.");
        }

        if (MaxConcurrency is < 1)
        {
            throw new LoadOptionsException($"{where}: max concurrency must be at least 1 (got {MaxConcurrency}).");
        }

        if (NumRequests is < 1)
        {
            throw new LoadOptionsException($"{where}: the request count must be at least 1 (got {NumRequests}).");
        }

        if (Duration is { } duration && duration <= TimeSpan.Zero)
        {
            throw new LoadOptionsException($"{where}: the duration must be positive seconds (got {duration.TotalSeconds}).");
        }

        var infiniteRate = (RequestRate is { } r && double.IsPositiveInfinity(r)) || (RequestRate is null && !timestampsReplayed);
        if (Duration is not null && NumRequests is null && RampUp is null && infiniteRate && MaxConcurrency is null)
        {
            throw new LoadOptionsException($"{where}: a duration-bounded step at an infinite rate needs --max-concurrency or --num-requests; otherwise it would send {DurationRequestCap} requests at once.");
        }

        RampUp?.Validate(where);
        if (RampUp is not null && NumRequests is null && Duration is null)
        {
            throw new LoadOptionsException($"{where}: a ramp-up needs --num-requests or --duration to know how far it has progressed.");
        }

        if (!(TimestampSpeedup > 0) || double.IsInfinity(TimestampSpeedup))
        {
            throw new LoadOptionsException($"{where}: the timestamp speed-up must be a positive finite factor (got {TimestampSpeedup}).");
        }

        if (MaxStepDuration <= TimeSpan.Zero)
        {
            throw new LoadOptionsException($"{where}: the maximum step duration must be positive.");
        }
    }
}
