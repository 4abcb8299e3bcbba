namespace EpdCluster.Abstractions.Scheduling;

/// <summary>One decision of the scheduler, with its reason and the figures it saw.</summary>
/// <param name="Code"><c>move</c>, or why it held: <c>switch_in_progress</c>, <c>cooldown</c>, <c>too_few_samples</c>, <c>slos_met</c>, <c>miss_not_persistent</c>, <c>no_slack</c>.</param>
/// <param name="Trigger"><c>automatic</c> (the policy) or <c>manual</c> (the admin API).</param>
/// <param name="Executed">For a move: whether it ran (automatic moves can be switched off).</param>
[GenerateSerializer, Immutable, Alias("epd.ScheduleDecision")]
public sealed record ScheduleDecision(
    [property: Id(0)] DateTime AtUtc,
    [property: Id(1)] string Code,
    [property: Id(2)] string Trigger,
    [property: Id(3)] string? WorkerId,
    [property: Id(4)] WorkerRole? From,
    [property: Id(5)] WorkerRole? To,
    [property: Id(6)] string Reason,
    [property: Id(7)] WindowFigures Figures,
    [property: Id(8)] bool Executed)
{
    public const string MoveCode = "move";

    public bool IsMove => Code == MoveCode;
}
