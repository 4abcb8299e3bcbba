using EpdCluster.Simulation.Profiles;
using EpdCluster.Simulation.Workloads;

namespace EpdCluster.Simulation.Simulation;

/// <summary>
/// A discrete-event simulation of a cluster whose workers replay a profile's step times, with the cluster's own rules:
/// tiles fan out over the encoders with the fewest queued tiles; a request reserves KV blocks (prompt + output) on the
/// decode worker with the most free blocks before it goes to the prefill worker with the fewest queued prompt tokens;
/// prefill steps take chunks up to the token budget; the first token ends prefill (TTFT), the KV transfer takes the
/// profile's time, and decode runs continuous batches up to the batch limit. Aggregated workers run encoder and
/// language-model steps alternately, each LLM step mixing decode tokens and prefill chunks, as the real inference
/// thread does. Workers can change role while the simulation runs (see <see cref="SwitchRole"/>).
/// </summary>
public sealed class ClusterSimulator
{
    private readonly EngineProfile _profile;
    private readonly PriorityQueue<Action, (double Time, long Order)> _events = new();
    private readonly List<Worker> _workers = [];
    private readonly LinkedList<Live> _awaitingKv = new();
    private readonly RequestOutcome[] _outcomes;
    private long _order;
    private Slo? _stopSlo;
    private int _missBudget;
    private int _misses;

    public ClusterSimulator(EngineProfile profile, ClusterLayout layout, IReadOnlyList<SimRequest> requests)
    {
        profile.Validate();
        _profile = profile;
        _outcomes = [.. requests.Select(r => new RequestOutcome(r.Id, r.ArrivalSeconds, double.NaN, double.NaN, double.NaN))];
        AddWorkers(layout.Encoders, StageRole.Encode);
        AddWorkers(layout.Prefills, StageRole.Prefill);
        AddWorkers(layout.Decoders, StageRole.Decode);
        AddWorkers(layout.Aggregated, StageRole.All);
        foreach (var request in requests)
        {
            At(request.ArrivalSeconds, () => Arrive(new Live(request, request.PromptTokens(profile.TokensPerTile), Blocks(request))));
        }
    }

    /// <summary>Simulated time now.</summary>
    public double Now { get; private set; }

    /// <summary>Every worker as it is now.</summary>
    public IReadOnlyList<SimWorkerView> Workers =>
        [.. _workers.Select(w => new SimWorkerView(w.Id, w.Role, w.Draining, w.FreeBlocks, _profile.KvBlocks, w.QueuedPromptTokens, w.Tiles.Count, w.Running.Count + w.DecodeWaiting.Count))];

    /// <summary>Decoding sequences moved by role switches so far.</summary>
    public int MovedSequences { get; private set; }

    /// <summary>Outcomes of the requests so far (in request order).</summary>
    public IReadOnlyList<RequestOutcome> Outcomes => _outcomes;

    public static SimulationResult Run(EngineProfile profile, ClusterLayout layout, IReadOnlyList<SimRequest> requests, Slo slo)
    {
        var simulator = new ClusterSimulator(profile, layout, requests);
        simulator.RunUntil(double.PositiveInfinity);
        return new SimulationResult(simulator.Outcomes, slo);
    }

    /// <summary>Runs events up to <paramref name="time"/> (or until none is left), then stands at that time; false when no event is left.</summary>
    public bool RunUntil(double time)
    {
        while (_events.TryPeek(out var action, out var next) && next.Time <= time)
        {
            _events.Dequeue();
            Now = next.Time;
            action();
        }

        if (double.IsFinite(time) && time > Now)
        {
            Now = time;
        }

        return _events.Count > 0;
    }

    /// <summary>
    /// Ends the run as soon as more than <paramref name="misses"/> requests have missed <paramref name="slo"/>: a rate
    /// search only needs to know that attainment fell below its target, not by how much.
    /// </summary>
    public void StopAfterMisses(Slo slo, int misses)
    {
        _stopSlo = slo;
        _missBudget = misses;
    }

    /// <summary>Schedules <paramref name="action"/> at simulated <paramref name="time"/> (a scheduler hook, for example).</summary>
    public void At(double time, Action action) => _events.Enqueue(action, (Math.Max(time, Now), _order++));

    /// <summary>
    /// Starts a role switch of <paramref name="worker"/>: it takes no new work at once; encode and prefill work it holds
    /// finishes; its decoding sequences move to the other decode workers, each paused for the transfer of its KV; then
    /// it takes <paramref name="role"/>. <paramref name="done"/> runs when the switch completes.
    /// </summary>
    public void SwitchRole(int workerId, StageRole role, Action<double>? done = null)
    {
        var w = _workers[workerId];
        if (w.Draining || w.Role == role || w.Role == StageRole.All || role == StageRole.All)
        {
            throw new InvalidOperationException($"Worker {w.Id} cannot switch from {w.Role} to {role} now.");
        }

        w.Draining = true;
        w.PendingRole = role;
        w.OnSwitched = done;
        if (w.Role == StageRole.Decode)
        {
            MoveDecodeWork(w);
        }

        CompleteSwitchIfDrained(w);
    }

    private void AddWorkers(int count, StageRole role)
    {
        for (var i = 0; i < count; i++)
        {
            _workers.Add(new Worker(_workers.Count, role, _profile.KvBlocks));
        }
    }

    private int Blocks(SimRequest request) =>
        (request.PromptTokens(_profile.TokensPerTile) + request.OutputTokens + _profile.BlockSize - 1) / _profile.BlockSize;

    private IEnumerable<Worker> Accepting(StageRole role) => _workers.Where(w => !w.Draining && (w.Role == role || w.Role == StageRole.All));

    private void Arrive(Live live)
    {
        if (live.Blocks > _profile.KvBlocks)
        {
            return; // can never fit a worker's KV: it never finishes (a miss)
        }

        if (_workers.Any(w => w.Role == StageRole.All))
        {
            // Aggregated: the whole request stays on one worker, the one with the least work in hand.
            var worker = Accepting(StageRole.All).MinBy(w => w.OutstandingTokens(_profile.TokensPerTile))!;
            live.Home = worker;
            EnqueueTiles(live, [worker]);
            return;
        }

        EnqueueTiles(live, [.. Accepting(StageRole.Encode)]);
    }

    private void EnqueueTiles(Live live, IReadOnlyList<Worker> encoders)
    {
        live.TilesLeft = live.Request.Tiles;
        if (live.TilesLeft == 0 || encoders.Count == 0)
        {
            live.TilesLeft = 0;
            Reserve(live);
            return;
        }

        // Per tile, to the encoder with the fewest queued tiles: one image's tiles run on every encoder at once.
        for (var i = 0; i < live.Request.Tiles; i++)
        {
            var encoder = encoders.MinBy(w => w.Tiles.Count)!;
            encoder.Tiles.Enqueue(live);
        }

        foreach (var encoder in encoders)
        {
            TryStep(encoder);
        }
    }

    /// <summary>Reserves KV for the whole request (decode worker, or its aggregated worker), then queues its prefill.</summary>
    private void Reserve(Live live)
    {
        if (double.IsNaN(_outcomes[live.Request.Id].EncodeSeconds))
        {
            _outcomes[live.Request.Id] = _outcomes[live.Request.Id] with { EncodeSeconds = Now - live.Request.ArrivalSeconds };
        }

        var holder = live.Home ?? Accepting(StageRole.Decode).Where(w => w.FreeBlocks >= live.Blocks).MaxBy(w => w.FreeBlocks);
        if (holder is null || holder.FreeBlocks < live.Blocks)
        {
            _awaitingKv.AddLast(live);
            return;
        }

        holder.FreeBlocks -= live.Blocks;
        live.KvHolder = holder;
        if (live.Home is null)
        {
            holder.PendingArrivals++;
        }
        var prefill = live.Home ?? Accepting(StageRole.Prefill).MinBy(w => w.QueuedPromptTokens)!;
        live.PrefillLeft = live.PromptTokens;
        prefill.Prefills.AddLast(live);
        prefill.QueuedPromptTokens += live.PromptTokens;
        TryStep(prefill);
    }

    private void FreeKv(Live live)
    {
        live.KvHolder!.FreeBlocks += live.Blocks;
        RetryAwaitingKv();
    }

    private void TryStep(Worker worker)
    {
        if (worker.Busy)
        {
            return;
        }

        var hasTiles = worker.Tiles.Count > 0;
        var hasLlm = worker.Prefills.Count > 0 || worker.DecodeWaiting.Count > 0 || worker.Running.Count > 0;

        // Alternate stages when both have work, as the inference thread round-robins over its stages.
        if (hasTiles && (!hasLlm || !worker.LastStepEncoded))
        {
            EncodeStep(worker);
        }
        else if (hasLlm)
        {
            LlmStep(worker);
        }
        else
        {
            CompleteSwitchIfDrained(worker);
        }
    }

    private void EncodeStep(Worker worker)
    {
        var batch = new List<Live>();
        while (batch.Count < _profile.MaxEncodeBatchTiles && worker.Tiles.TryDequeue(out var tile))
        {
            batch.Add(tile);
        }

        worker.Busy = true;
        worker.LastStepEncoded = true;
        At(Now + _profile.Encode.At(batch.Count), () =>
        {
            worker.Busy = false;
            foreach (var live in batch)
            {
                if (--live.TilesLeft == 0)
                {
                    Reserve(live);
                }
            }

            TryStep(worker);
        });
    }

    private void LlmStep(Worker worker)
    {
        while (worker.Running.Count < _profile.MaxBatchSize && worker.DecodeWaiting.TryDequeue(out var admitted))
        {
            worker.Running.Add(admitted);
        }

        var decoding = worker.Running.ToList();
        var budget = _profile.MaxBatchTokens - decoding.Count;
        var chunks = new List<(Live Live, int Tokens)>();
        for (var node = worker.Prefills.First; node is not null && budget > 0 && decoding.Count + chunks.Count < _profile.MaxBatchSize; node = node.Next)
        {
            var tokens = Math.Min(node.Value.PrefillLeft, budget);
            chunks.Add((node.Value, tokens));
            budget -= tokens;
        }

        var seconds = _profile.LlmStepSeconds(decoding.Count + chunks.Count, decoding.Count + chunks.Sum(c => c.Tokens));
        worker.Busy = true;
        worker.LastStepEncoded = false;
        At(Now + seconds, () =>
        {
            worker.Busy = false;
            foreach (var live in decoding)
            {
                if (!worker.Running.Contains(live))
                {
                    continue; // moved to another worker during the step: it generates there
                }

                if (++live.Generated == live.Request.OutputTokens)
                {
                    worker.Running.Remove(live);
                    Finish(live);
                }
            }

            foreach (var (live, tokens) in chunks)
            {
                live.PrefillLeft -= tokens;
                worker.QueuedPromptTokens -= tokens;
                if (live.PrefillLeft == 0)
                {
                    worker.Prefills.Remove(live);
                    FirstToken(live, worker);
                }
            }

            TryStep(worker);
        });
    }

    private void FirstToken(Live live, Worker prefill)
    {
        live.FirstTokenSeconds = Now;
        live.Generated = 1;
        _outcomes[live.Request.Id] = _outcomes[live.Request.Id] with { TtftSeconds = Now - live.Request.ArrivalSeconds };
        live.Missed = Now - live.Request.ArrivalSeconds > _stopSlo?.TtftSeconds;
        CountMiss(live.Missed);
        if (live.Request.OutputTokens == 1)
        {
            if (live.Home is null)
            {
                live.KvHolder!.PendingArrivals--;
            }

            Finish(live);
            return;
        }

        if (live.Home is not null)
        {
            prefill.DecodeWaiting.Enqueue(live); // aggregated: the KV is already here
            return;
        }

        var decode = live.KvHolder!;
        At(Now + _profile.KvTransferSeconds(live.PromptTokens), () =>
        {
            decode.PendingArrivals--;
            decode.DecodeWaiting.Enqueue(live);
            if (decode.Draining)
            {
                MoveDecodeWork(decode);
            }

            TryStep(decode);
        });
    }

    private void Finish(Live live)
    {
        var tpot = live.Request.OutputTokens > 1 ? (Now - live.FirstTokenSeconds) / (live.Request.OutputTokens - 1) : double.NaN;
        _outcomes[live.Request.Id] = _outcomes[live.Request.Id] with { TpotSeconds = tpot, FinishSeconds = Now };
        CountMiss(!live.Missed && tpot > _stopSlo?.TpotSeconds);
        var holder = live.KvHolder!;
        FreeKv(live);
        CompleteSwitchIfDrained(holder);
    }

    private void CountMiss(bool missed)
    {
        if (missed && ++_misses > _missBudget && _stopSlo is not null)
        {
            _events.Clear();
        }
    }

    /// <summary>Moves every sequence a draining decode worker holds to the other decode workers, each after its KV transfer.</summary>
    private void MoveDecodeWork(Worker from)
    {
        foreach (var live in from.Running.Concat(from.DecodeWaiting).ToList())
        {
            var target = Accepting(StageRole.Decode).Where(w => w.FreeBlocks >= live.Blocks).MaxBy(w => w.FreeBlocks);
            if (target is null)
            {
                continue; // stays; it finishes here and the drain waits for it
            }

            from.Running.Remove(live);
            RemoveFromQueue(from.DecodeWaiting, live);
            from.FreeBlocks += live.Blocks;
            target.FreeBlocks -= live.Blocks;
            live.KvHolder = target;
            target.PendingArrivals++;
            MovedSequences++;
            At(Now + _profile.KvTransferSeconds(live.PromptTokens + live.Generated), () =>
            {
                target.PendingArrivals--;
                target.DecodeWaiting.Enqueue(live);
                TryStep(target);
            });
        }
    }

    private static void RemoveFromQueue(Queue<Live> queue, Live live)
    {
        var kept = queue.Where(l => l != live).ToList();
        queue.Clear();
        foreach (var l in kept)
        {
            queue.Enqueue(l);
        }
    }

    private void CompleteSwitchIfDrained(Worker worker)
    {
        if (!worker.Draining || worker.Busy || worker.Tiles.Count > 0 || worker.Prefills.Count > 0 || worker.DecodeWaiting.Count > 0 || worker.Running.Count > 0
            || worker.PendingArrivals > 0)
        {
            return;
        }

        worker.Role = worker.PendingRole!.Value;
        worker.Draining = false;
        worker.PendingRole = null;
        var done = worker.OnSwitched;
        worker.OnSwitched = null;
        done?.Invoke(Now);
        RetryAwaitingKv();
    }

    /// <summary>Reserves for requests waiting for KV room, first come first served (a request that does not fit holds back those behind it).</summary>
    private void RetryAwaitingKv()
    {
        for (var node = _awaitingKv.First; node is not null;)
        {
            var next = node.Next;
            var waiting = node.Value;
            var fits = waiting.Home is { } home ? home.FreeBlocks >= waiting.Blocks : Accepting(StageRole.Decode).Any(w => w.FreeBlocks >= waiting.Blocks);
            if (fits)
            {
                _awaitingKv.Remove(node);
                Reserve(waiting);
            }
            else if (waiting.Home is null)
            {
                break;
            }

            node = next;
        }
    }

    /// <summary>A simulated request in flight.</summary>
    private sealed class Live(SimRequest request, int promptTokens, int blocks)
    {
        public SimRequest Request { get; } = request;

        public int PromptTokens { get; } = promptTokens;

        public int Blocks { get; } = blocks;

        public int TilesLeft { get; set; }

        public int PrefillLeft { get; set; }

        public int Generated { get; set; }

        public double FirstTokenSeconds { get; set; } = double.NaN;

        /// <summary>Its TTFT already missed the stop SLO (counted once).</summary>
        public bool Missed { get; set; }

        /// <summary>Aggregated mode: the worker that does everything for this request.</summary>
        public Worker? Home { get; set; }

        /// <summary>The worker holding its KV blocks (its decode worker, or its aggregated worker).</summary>
        public Worker? KvHolder { get; set; }
    }

    private sealed class Worker(int id, StageRole role, int kvBlocks)
    {
        public int Id { get; } = id;

        public StageRole Role { get; set; } = role;

        public bool Draining { get; set; }

        public StageRole? PendingRole { get; set; }

        public Action<double>? OnSwitched { get; set; }

        public bool Busy { get; set; }

        public bool LastStepEncoded { get; set; }

        public Queue<Live> Tiles { get; } = new();

        public LinkedList<Live> Prefills { get; } = new();

        public Queue<Live> DecodeWaiting { get; } = new();

        public List<Live> Running { get; } = [];

        public int FreeBlocks { get; set; } = kvBlocks;

        public long QueuedPromptTokens { get; set; }

        /// <summary>Requests whose KV this worker reserved and that have not reached it yet (prefilling elsewhere, or in transfer).</summary>
        public int PendingArrivals { get; set; }

        public long OutstandingTokens(int tokensPerTile) => (Tiles.Count * (long)tokensPerTile) + QueuedPromptTokens + Running.Count + DecodeWaiting.Count;
    }
}
