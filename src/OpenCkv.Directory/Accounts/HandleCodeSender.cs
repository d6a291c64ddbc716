using System.Collections.Concurrent;

namespace OpenCkv.Directory.Accounts;

/// <summary>Delivers a handle's one-time code (by SMS for <c>tel:</c>, by mail for <c>mailto:</c>).</summary>
public interface IHandleCodeSender
{
    /// <summary>Sends <paramref name="code"/> to the handle behind <paramref name="label"/>.</summary>
    Task SendAsync(string label, string code, CancellationToken cancellation);
}

/// <summary>
/// The development sender: codes are written to the server's console and kept so a dev-only endpoint can hand
/// them to scripts. Never used outside <c>--dev</c>.
/// </summary>
public sealed class DevHandleCodeSender(Action<string> console) : IHandleCodeSender
{
    private readonly ConcurrentDictionary<string, string> _latest = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task SendAsync(string label, string code, CancellationToken cancellation)
    {
        _latest[label] = code;
        console($"dev: one-time code for {label}: {code}");
        return Task.CompletedTask;
    }

    /// <summary>The last code sent to the handle, or null.</summary>
    public string? Latest(string label) => _latest.TryGetValue(label, out string? code) ? code : null;
}
