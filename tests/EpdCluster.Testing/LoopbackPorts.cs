using System.Net;
using System.Net.Sockets;

namespace EpdCluster.Testing;

/// <summary>
/// Free TCP ports on 127.0.0.1 for servers a test starts. Chosen below the kernel's ephemeral range (32768+ on
/// Linux), so an outgoing connection of another process cannot take the port between this check and the bind.
/// </summary>
public static class LoopbackPorts
{
    private const int First = 20000;
    private const int Count = 12000;

    public static int Reserve()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = First + Random.Shared.Next(Count);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use: try another.
            }
        }

        throw new InvalidOperationException($"No free loopback port between {First} and {First + Count}.");
    }
}
