using System.Text.Json;
using System.Text.Json.Serialization;
using StackExchange.Redis;

namespace EpdCluster.Runtime.Scheduling;

/// <summary>
/// The scheduler's state as one JSON string in Redis under <c>epd:scheduler:{clusterId}</c>, so it outlives the silo
/// that hosts the grain (readable with <c>redis-cli GET</c>). No expiry: it is the cluster's memory.
/// </summary>
internal sealed class RedisSchedulerStateStore(IConnectionMultiplexer redis, string clusterId) : ISchedulerStateStore
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly RedisKey _key = KeyOf(clusterId);

    public string Description => $"redis key {_key}";

    /// <summary><c>epd:scheduler:{clusterId}</c>: clusters sharing one Redis keep apart.</summary>
    public static RedisKey KeyOf(string clusterId) => $"epd:scheduler:{clusterId}";

    public async Task<SchedulerState?> LoadAsync()
    {
        var value = await redis.GetDatabase().StringGetAsync(_key);
        return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<SchedulerState>((string)value!, Json);
    }

    public Task SaveAsync(SchedulerState state) =>
        redis.GetDatabase().StringSetAsync(_key, JsonSerializer.Serialize(state, Json));
}
