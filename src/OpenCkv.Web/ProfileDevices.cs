using System.Collections.Concurrent;
using OpenCkv.Client;

namespace OpenCkv.Web;

/// <summary>The profile a URL names is not a device profile of the CKV home.</summary>
public sealed class ProfileNotFoundException(string profile) : Exception($"There is no device profile '{profile}'.")
{
    /// <summary>The name asked for.</summary>
    public string Profile { get; } = profile;
}

/// <summary>
/// The device profiles of the CKV home (<c>profiles/NAME</c>, the CLI's layout). A request opens its profile's
/// device, uses it and closes it; requests for one profile take turns, as one device does one thing at a time.
/// </summary>
public sealed class ProfileDevices(WebOptions options)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _turns = new(StringComparer.Ordinal);

    private string ProfilesFolder => Path.Combine(options.Home, "profiles");

    /// <summary>The names of the profiles that hold a device.</summary>
    public IReadOnlyList<string> Names() =>
        System.IO.Directory.Exists(ProfilesFolder)
            ? System.IO.Directory.EnumerateDirectories(ProfilesFolder).Where(CkvDevice.Exists).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray()
            : [];

    /// <summary>Runs <paramref name="body"/> with the device of <paramref name="profile"/>, after any other request for it.</summary>
    /// <exception cref="ProfileNotFoundException">No such profile.</exception>
    public async Task<T> UseAsync<T>(string profile, Func<CkvDevice, Task<T>> body, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        string folder = Folder(profile);
        SemaphoreSlim turn = _turns.GetOrAdd(profile, _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            using CkvDevice device = CkvDevice.Open(folder);
            return await body(device).ConfigureAwait(false);
        }
        finally
        {
            turn.Release();
        }
    }

    private string Folder(string profile)
    {
        // A name is one folder name: never a path that leaves the profiles folder.
        if (profile.Length == 0 || profile.IndexOfAny(['/', '\\', '\0']) >= 0 || profile is "." or "..")
        {
            throw new ProfileNotFoundException(profile);
        }

        string folder = Path.Combine(ProfilesFolder, profile);
        return CkvDevice.Exists(folder) ? folder : throw new ProfileNotFoundException(profile);
    }
}
