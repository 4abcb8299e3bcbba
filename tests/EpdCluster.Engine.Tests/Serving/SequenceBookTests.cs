using System.Threading.Channels;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Serving;

namespace EpdCluster.Engine.Tests.Serving;

/// <summary>
/// The batching bookkeeping both language-model engines share, driven step by step without a model: reservations and
/// their refusals, parked blocks, admission into an imported reservation, suspend / resume / release, aborts, lease
/// expiry, preemption and shutdown — and that every path gives its blocks back to the pool.
/// </summary>
public sealed class SequenceBookTests : IDisposable
{
    private const int BlockSize = 16;
    private const int Token = 7;
    private readonly InferenceThread _thread = new("sequence-book-test", []);

    [Fact]
    public void A_reservation_takes_blocks_for_its_tokens_capped_at_the_context()
    {
        var book = Book(totalBlocks: 300);

        Assert.Equal(3, book.Reserve(1, 40));
        Assert.Equal(4096 / BlockSize, book.Reserve(2, 10_000));

        Assert.Equal(300 - 3 - 256, book.Stats.FreeBlocks);
        Assert.Equal(2, book.Stats.ReservedRequests);
        Assert.Equal(40, book.Leases.Reserved(1).Tokens);
    }

    [Fact]
    public void A_second_reservation_an_empty_one_or_one_beyond_the_pool_is_refused()
    {
        var book = Book(totalBlocks: 8);
        book.Reserve(1, 40);

        var twice = Assert.Throws<InvalidOperationException>(() => book.Reserve(1, 16));
        Assert.Throws<ArgumentOutOfRangeException>(() => book.Reserve(2, 0));
        var full = Assert.Throws<InvalidOperationException>(() => book.Reserve(3, 6 * BlockSize));

        Assert.Equal("Request 1 already holds a KV reservation.", twice.Message);
        Assert.Equal("Cannot reserve 6 KV blocks for request 3: 5 of 8 are free.", full.Message);
        Assert.Equal(5, book.Stats.FreeBlocks);
        Assert.Equal(1, book.Stats.ReservedRequests);
    }

    [Fact]
    public void Missing_leases_are_refused_with_the_reason()
    {
        var book = Book();

        var reserved = Assert.Throws<InvalidOperationException>(() => book.Leases.Reserved(9));
        var parked = Assert.Throws<InvalidOperationException>(() => book.Leases.Parked(9));

        Assert.Equal("Request 9 has no KV reservation here (expired or never made).", reserved.Message);
        Assert.Equal("Request 9 has no parked KV blocks here (expired or released).", parked.Message);
        Assert.False(book.ReleaseParked(9));
    }

    [Fact]
    public void A_prefill_only_sequence_parks_its_blocks_after_its_first_token_until_released()
    {
        var book = Book();
        var stream = book.Submit(Sequence(1, promptTokens: 40, prefillOnly: true));

        Step(book);

        var first = Assert.Single(ReadAll(stream));
        Assert.Equal(new GeneratedToken(Token, 0, null), first);
        Assert.True(stream.Completion.IsCompletedSuccessfully);
        var lease = book.Leases.Parked(1);
        Assert.Equal(3, lease.Blocks.Length);
        Assert.Equal(40, lease.Tokens);
        Assert.Equal(1, book.Stats.ParkedRequests);
        Assert.Equal(0, book.Stats.Running);

        Assert.True(book.ReleaseParked(1));
        Assert.False(book.ReleaseParked(1));
        Assert.Equal(book.Stats.TotalBlocks, book.Stats.FreeBlocks);
        Assert.Equal(0, book.Stats.ParkedRequests);
    }

    [Fact]
    public async Task A_sequence_whose_kv_was_imported_decodes_in_its_reserved_blocks()
    {
        var book = Book();
        var reserved = book.Reserve(1, 40 + 10);
        book.Leases.Reserved(1).Imported = true;
        var sequence = Sequence(1, promptTokens: 40, maxTokens: 10, generated: [Token]);
        sequence.Computed = 40;
        var stream = book.SubmitIntoReservation(sequence, _ => null);
        await OnThread();

        Assert.Equal(0, book.Stats.ReservedRequests);
        Assert.Equal(1, book.Stats.Waiting);
        Assert.Equal(reserved, sequence.Blocks.Count);
        while (Step(book))
        {
        }

        var tokens = ReadAll(stream);
        Assert.Equal(Enumerable.Range(1, 9), tokens.Select(t => t.Index));
        Assert.Equal(FinishReason.Length, tokens[^1].Finish);
        Assert.Equal(book.Stats.TotalBlocks, book.Stats.FreeBlocks);
    }

    [Theory]
    [InlineData(false, false, "The KV cache of request 1 never arrived on this worker (no reservation, or its 30 s lease expired).")]
    [InlineData(true, false, "The KV cache of request 1 never arrived on this worker (no reservation, or its 30 s lease expired).")]
    [InlineData(true, true, "not this prompt's KV")]
    public async Task A_reservation_without_fitting_kv_fails_the_stream_and_frees_its_blocks(bool reserve, bool import, string message)
    {
        var book = Book();
        if (reserve)
        {
            book.Reserve(1, 50);
            book.Leases.Reserved(1).Imported = import;
        }

        var stream = book.SubmitIntoReservation(Sequence(1, promptTokens: 40, generated: [Token]), _ => "not this prompt's KV");
        await OnThread();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => stream.Completion);
        Assert.Equal(message, failure.Message);
        Assert.Equal(book.Stats.TotalBlocks, book.Stats.FreeBlocks);
        Assert.Equal(0, book.Stats.ReservedRequests);
        Assert.Equal(0, book.Stats.Waiting);
    }

    [Fact]
    public void A_shrunk_reservation_returns_its_tail_blocks_to_the_pool()
    {
        var book = Book();
        book.Reserve(1, 100);
        var lease = book.Leases.Reserved(1);
        var kept = lease.Blocks[..2];

        book.Leases.Shrink(lease, 2);

        Assert.Equal(kept, lease.Blocks);
        Assert.Equal(book.Stats.TotalBlocks - 2, book.Allocator.FreeBlocks);
    }

    [Fact]
    public void A_suspended_sequence_keeps_its_blocks_and_its_stream_and_resumes_first()
    {
        var book = Book();
        var stream = book.Submit(Sequence(1, promptTokens: 40));
        Step(book);
        Step(book);
        var free = book.Stats.FreeBlocks;

        var suspended = book.Suspend(1);

        Assert.NotNull(suspended);
        Assert.Equal(41, suspended.Computed);
        Assert.Null(book.Suspend(1));
        Assert.Equal((0, 0, 1), (book.Stats.Running, book.Stats.Waiting, book.Stats.SuspendedRequests));
        Assert.Equal(free, book.Stats.FreeBlocks);
        Assert.False(stream.Completion.IsCompleted);
        Assert.False(Step(book)); // nothing to run while it is away

        Assert.True(book.ResumeSuspended(1));
        Assert.False(book.ResumeSuspended(1));
        Assert.Equal((0, 1, 0), (book.Stats.Running, book.Stats.Waiting, book.Stats.SuspendedRequests));
        Assert.True(Step(book));
        Assert.Equal([0, 1, 2], ReadAll(stream).Select(t => t.Index));
    }

    [Fact]
    public void Releasing_a_suspended_sequence_frees_its_blocks_and_ends_its_stream_without_a_finish()
    {
        var book = Book();
        var stream = SubmitAndSuspend(book, 1, promptTokens: 40);

        Assert.True(book.ReleaseSuspended(1));
        Assert.False(book.ReleaseSuspended(1));
        Assert.False(book.ResumeSuspended(1));

        Assert.All(ReadAll(stream), t => Assert.Null(t.Finish));
        Assert.True(stream.Completion.IsCompletedSuccessfully);
        Assert.Equal(book.Stats.TotalBlocks, book.Stats.FreeBlocks);
        Assert.Equal(0, book.Stats.SuspendedRequests);
    }

    [Fact]
    public void Only_a_decoding_sequence_can_be_suspended()
    {
        var book = Book(maxBatchTokens: 16);
        book.Submit(Sequence(1, promptTokens: 40));
        book.Submit(Sequence(2, promptTokens: 8, prefillOnly: true));

        Assert.Null(book.Suspend(404));
        Step(book); // request 1 has prefilled 16 of its 40 prompt tokens
        Assert.Null(book.Suspend(1));
        while (Step(book) && book.Stats.ParkedRequests == 0)
        {
        }

        Assert.Null(book.Suspend(2)); // parked for a hand-off, not decoding
        Assert.NotNull(book.Suspend(1));
    }

    [Fact]
    public void Aborts_end_streams_and_free_blocks_wherever_the_request_is()
    {
        var book = Book(maxBatchSize: 1);
        var running = book.Submit(Sequence(1, promptTokens: 20));
        var suspended = book.Submit(Sequence(2, promptTokens: 20));
        var waiting = book.Submit(Sequence(3, promptTokens: 20));
        book.Submit(Sequence(4, promptTokens: 20, prefillOnly: true));
        Step(book);
        Assert.NotNull(book.Suspend(1));
        Assert.True(book.ResumeSuspended(1));
        Step(book); // request 1 decodes; 2, 3 and 4 wait
        book.Reserve(5, 40);

        foreach (var id in new long[] { 1, 2, 3, 4, 5 })
        {
            book.Abort(id);
        }

        Step(book);
        Assert.All(new[] { running, suspended, waiting }, stream => Assert.Equal(FinishReason.Abort, ReadAll(stream)[^1].Finish));
        Assert.Equal(book.Stats.TotalBlocks, book.Stats.FreeBlocks);
        Assert.Equal((0, 0, 0, 0), (book.Stats.Running, book.Stats.Waiting, book.Stats.ReservedRequests, book.Stats.ParkedRequests));
    }

    [Fact]
    public void Aborting_a_suspended_sequence_ends_it_with_an_abort()
    {
        var book = Book();
        var stream = SubmitAndSuspend(book, 1, promptTokens: 20);

        book.Abort(1);
        Step(book);

        var last = ReadAll(stream)[^1];
        Assert.Equal(new GeneratedToken(-1, 1, FinishReason.Abort), last);
        Assert.False(book.ReleaseSuspended(1));
        Assert.Equal(0, book.Stats.SuspendedRequests);
        Assert.Equal(book.Stats.TotalBlocks, book.Stats.FreeBlocks);
    }

    [Fact]
    public void Leases_past_their_deadline_are_freed_at_the_next_step()
    {
        var book = Book(lease: TimeSpan.Zero);
        book.Reserve(1, 40);
        book.Submit(Sequence(2, promptTokens: 20, prefillOnly: true));

        Step(book); // parks request 2's blocks, already past their deadline
        Assert.Equal(1, book.Stats.ParkedRequests);
        Step(book);

        Assert.Equal((0, 0), (book.Stats.ReservedRequests, book.Stats.ParkedRequests));
        Assert.Equal(book.Stats.TotalBlocks, book.Stats.FreeBlocks);
        Assert.Throws<InvalidOperationException>(() => book.Leases.Reserved(1));
    }

    [Fact]
    public void When_blocks_run_out_the_newest_recomputable_sequence_is_preempted_and_recomputed_later()
    {
        var book = Book(totalBlocks: 4);
        var older = book.Submit(Sequence(1, promptTokens: 24, maxTokens: 12));
        var newer = book.Submit(Sequence(2, promptTokens: 24, maxTokens: 12));
        Step(book);
        Assert.Equal((2, 0), (book.Stats.Running, book.Stats.FreeBlocks));

        while (book.Stats.Preemptions == 0 && Step(book))
        {
        }

        Assert.Equal(1, book.Stats.Preemptions);
        Assert.Equal((1, 1), (book.Stats.Running, book.Stats.Waiting));
        Assert.True(book.Stats.QueuedPromptTokens >= 24 + 8); // request 2's prompt and tokens, to recompute
        while (Step(book))
        {
        }

        Assert.Equal(Enumerable.Range(0, 12), ReadAll(older).Select(t => t.Index));
        Assert.Equal(Enumerable.Range(0, 12), ReadAll(newer).Select(t => t.Index));
        Assert.Equal(book.Stats.TotalBlocks, book.Stats.FreeBlocks);
    }

    [Fact]
    public void Prompts_longer_than_the_token_budget_are_prefilled_in_chunks()
    {
        var book = Book(maxBatchTokens: 16);
        var stream = book.Submit(Sequence(1, promptTokens: 40, maxTokens: 2));

        Step(book);
        Assert.Equal(24, book.Stats.QueuedPromptTokens);
        Step(book);
        Assert.False(stream.TryRead(out _));
        Step(book);

        Assert.True(stream.TryRead(out var first));
        Assert.Equal(0, first.Index);
        Assert.Equal(3, book.Stats.Steps);
        Assert.Equal(1, book.Stats.GeneratedTokens);
    }

    [Fact]
    public void A_stop_token_finishes_the_sequence_with_stop()
    {
        var book = Book();
        var stream = book.Submit(Sequence(1, promptTokens: 10));

        book.RunStep(slices =>
        {
            foreach (var (sequence, start, count) in slices)
            {
                sequence.Computed = start + count;
                book.Append(sequence, Token, stop: true);
            }
        });

        Assert.Equal(new GeneratedToken(Token, 0, FinishReason.Stop), Assert.Single(ReadAll(stream)));
        Assert.Equal(book.Stats.TotalBlocks, book.Stats.FreeBlocks);
    }

    [Fact]
    public void Shutdown_aborts_running_waiting_and_suspended_sequences()
    {
        var book = Book(maxBatchSize: 1);
        var suspended = book.Submit(Sequence(1, promptTokens: 20));
        var waiting = book.Submit(Sequence(2, promptTokens: 20));
        Step(book);
        Assert.NotNull(book.Suspend(1));
        Step(book);
        var running = book.Submit(Sequence(3, promptTokens: 20));

        book.Shutdown();

        Assert.All(new[] { suspended, waiting, running }, stream => Assert.Equal(FinishReason.Abort, ReadAll(stream)[^1].Finish));
        Assert.Equal((0, 0, 0), (book.Stats.Running, book.Stats.Waiting, book.Stats.SuspendedRequests));
        Assert.Equal(book.Stats.TotalBlocks, book.Stats.FreeBlocks);
    }

    [Fact]
    public void Submitting_before_the_book_is_attached_to_a_thread_is_refused()
    {
        var book = new SequenceBook<TestSequence, TestLease>(
            EpdModelConfig.Tiny.Text, new BatchLimits(BlockSize, 16, 0, 4, 64, TimeSpan.FromSeconds(30)), null,
            (blocks, deadline, tokens) => new TestLease(blocks, deadline, tokens), (s, blocks, deadline) => new TestLease(blocks, deadline, s.PromptLength));

        var error = Assert.Throws<InvalidOperationException>(() => book.Submit(Sequence(1, promptTokens: 10)));

        Assert.Equal("The engine is not attached to an inference thread.", error.Message);
    }

    public void Dispose() => _thread.Dispose();

    private SequenceBook<TestSequence, TestLease> Book(int totalBlocks = 64, int maxBatchSize = 4, int maxBatchTokens = 64, TimeSpan? lease = null)
    {
        var book = new SequenceBook<TestSequence, TestLease>(
            EpdModelConfig.Tiny.Text,
            new BatchLimits(BlockSize, totalBlocks, WatermarkFraction: 0, maxBatchSize, maxBatchTokens, lease ?? TimeSpan.FromSeconds(30)),
            metrics: null,
            (blocks, deadline, tokens) => new TestLease(blocks, deadline, tokens),
            (sequence, blocks, deadline) => new TestLease(blocks, deadline, sequence.PromptLength));
        book.Attach(_thread);
        return book;
    }

    /// <summary>One step in which every sequence whose tokens are all computed gets token <see cref="Token"/>.</summary>
    private static bool Step(SequenceBook<TestSequence, TestLease> book) => book.RunStep(slices =>
    {
        foreach (var (sequence, start, count) in slices)
        {
            sequence.Computed = start + count;
            if (sequence.Computed == sequence.Length)
            {
                book.Append(sequence, Token, stop: false);
            }
        }
    });

    /// <summary>Submits a request, runs the step that gives its first token, and suspends it.</summary>
    private static ChannelReader<GeneratedToken> SubmitAndSuspend(SequenceBook<TestSequence, TestLease> book, long id, int promptTokens)
    {
        var stream = book.Submit(Sequence(id, promptTokens));
        Step(book);
        Assert.NotNull(book.Suspend(id));
        return stream;
    }

    /// <summary>Waits until the inference thread has run what was posted to it.</summary>
    private Task OnThread() => _thread.InvokeAsync(() => true);

    private static TestSequence Sequence(long id, int promptTokens, int maxTokens = 100, bool prefillOnly = false, int[]? generated = null) =>
        new(new GenerationRequest(id, [.. Enumerable.Range(1, promptTokens)], [], SamplingParams.Greedy(maxTokens)) { PrefillOnly = prefillOnly }, generated ?? []);

    private static List<GeneratedToken> ReadAll(ChannelReader<GeneratedToken> stream)
    {
        var tokens = new List<GeneratedToken>();
        while (stream.TryRead(out var token))
        {
            tokens.Add(token);
        }

        return tokens;
    }

    private sealed class TestSequence(GenerationRequest request, int[] generated) : BatchedSequence(request, recomputable: generated.Length == 0)
    {
        private readonly List<int> _generated = [.. generated];

        public override int Length => PromptLength + _generated.Count;

        public override void Add(int token) => _generated.Add(token);
    }

    private sealed class TestLease(int[] blocks, long deadlineTimestamp, int tokens) : BlockLease(blocks, deadlineTimestamp, tokens);
}
