namespace OpenCkv.Server.Tests;

/// <summary>
/// Sends every request to <see cref="Target"/>, whatever address the device's profile names: a restarted server
/// process listens on a new port, and the devices keep the profile they registered with, as they would with a
/// server that comes back under its own name.
/// </summary>
internal sealed class MovableServerHandler(Uri target) : DelegatingHandler(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
{
    private volatile Uri _target = target;

    /// <summary>The server process the devices reach now.</summary>
    public Uri Target
    {
        get => _target;
        set => _target = value;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.RequestUri = new Uri(_target, request.RequestUri!.PathAndQuery);
        return base.SendAsync(request, cancellationToken);
    }
}
