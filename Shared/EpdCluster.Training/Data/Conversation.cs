using EpdCluster.Engine.Text;

namespace EpdCluster.Training.Data;

/// <summary>Where one answer sits in a <see cref="Conversation"/>: its tokens (end-of-turn included) start at <paramref name="Start"/>.</summary>
public readonly record struct AnswerSpan(int Start, int Length);

/// <summary>
/// The token sequence a training example is scored on: the served prompt and its answer, then any follow-up
/// questions about the same image, each in its own user turn followed by its answer — a multi-turn chat rendered by the
/// serving template. Every answer is a scored span; the image is encoded once for all of them.
/// </summary>
public sealed record Conversation(int[] Ids, IReadOnlyList<ImageSpan> ImageSpans, IReadOnlyList<AnswerSpan> Answers);
