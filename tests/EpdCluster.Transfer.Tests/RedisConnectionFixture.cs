using EpdCluster.Testing;
using StackExchange.Redis;

namespace EpdCluster.Transfer.Tests;

/// <summary>A private redis-server and a connection to it, shared by one test class.</summary>
public sealed class RedisConnectionFixture : IDisposable
{
    private readonly RedisServerFixture _server = new();

    public RedisConnectionFixture()
    {
        Connection = ConnectionMultiplexer.Connect(_server.ConnectionString);
    }

    public ConnectionMultiplexer Connection { get; }

    public IDatabase Database => Connection.GetDatabase();

    public void Dispose()
    {
        Connection.Dispose();
        _server.Dispose();
    }
}
