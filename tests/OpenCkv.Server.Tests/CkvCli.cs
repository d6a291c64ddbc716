using System.Text.Json;

namespace OpenCkv.Server.Tests;

/// <summary>
/// The `ckv` device commands as a person at a terminal runs them: one CKV_HOME, a profile per device, and — when
/// started with <see cref="StartAsync"/> — its own development server process on a fresh data folder.
/// </summary>
public sealed class CkvCli : IDisposable
{
    public const string Alice = "mailto:alice@example.com";
    public const string Bob = "mailto:bob@example.com";

    private readonly DirectoryInfo _home = System.IO.Directory.CreateTempSubdirectory("ckv-home-");
    private readonly TempFolder? _data;

    public CkvCli(Uri server) => Server = server;

    private CkvCli(TempFolder data, ServerProcess process)
        : this(process.Address)
    {
        _data = data;
        Process = process;
    }

    public Uri Server { get; }

    /// <summary>The server process, when this started one.</summary>
    public ServerProcess? Process { get; }

    /// <summary>A development server process of its own, and a fresh CKV_HOME.</summary>
    public static Task<CkvCli> StartAsync() => StartAsync([], []);

    /// <summary>
    /// A development server process of its own on a log created by `ckv server init INIT…` (with
    /// <paramref name="auditor"/>, third-party audited by that auditor's key), started with `SERVE…`; a fresh CKV_HOME.
    /// </summary>
    public static async Task<CkvCli> StartAsync(IReadOnlyList<string> init, IReadOnlyList<string> serve, TempFolder? auditor = null)
    {
        var data = new TempFolder();
        try
        {
            if (init.Count > 0 || auditor is not null)
            {
                string[] audited = auditor is null ? [] : ["--auditor-key", File.ReadAllText(Path.Combine(auditor.Path, "auditor.pub")).Trim()];
                (int exit, _, string error) = await ServerProcess.RunCommandAsync(["server", "init", "--data", data.Path, .. audited, .. init]);
                Assert.True(exit == 0, error);
            }

            return new CkvCli(data, await ServerProcess.StartAsync(data.Path, [.. serve]));
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Alice and Bob register phones and save each other as contacts; with <paramref name="ckvOn"/> both turn on the
    /// second factor and CKV. Their second-factor secrets, by profile.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> TwoPeopleAsync(bool ckvOn)
    {
        await RegisterAsync("alice", Alice);
        await RegisterAsync("bob", Bob);
        await OkAsync("alice", "contacts", "add", "Bob", Bob);
        await OkAsync("bob", "contacts", "add", "Alice", Alice);
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        if (ckvOn)
        {
            foreach (string person in (string[])["alice", "bob"])
            {
                secrets[person] = await EnableTwoFactorAsync(person);
                await OkAsync(person, "verification", "on");
            }
        }

        return secrets;
    }

    /// <summary>
    /// Alice and Bob as <see cref="TwoPeopleAsync"/> makes them, Bob with a laptop ("bob-laptop") joined to his
    /// account first; then both turn on the second factor and CKV.
    /// </summary>
    public async Task TwoPeopleWithBobsLaptopAsync()
    {
        await TwoPeopleAsync(ckvOn: false);
        var (joiner, approver) = await JoinAsync("bob-laptop", "bob", Bob, totp: null, confirm: true);
        Assert.True(joiner.Exit == 0 && approver.Exit == 0, joiner.Error + approver.Error);
        foreach (string person in (string[])["alice", "bob"])
        {
            await EnableTwoFactorAsync(person);
            await OkAsync(person, "verification", "on");
        }
    }

    public string Home => _home.FullName;

    /// <summary>
    /// Runs `ckv --profile PROFILE ARGS…`. Profiles keep their keys in secrets.json (CKV_SECRET_STORE=file) wherever
    /// the tests run, so tests can read them and no keys land in the desktop's key store.
    /// </summary>
    public Task<(int Exit, string Output, string Error)> RunAsync(string profile, params string[] args) =>
        ServerProcess.RunCommandAsync(new Dictionary<string, string> { ["CKV_HOME"] = Home, ["CKV_SECRET_STORE"] = "file" }, ["--profile", profile, .. args]);

    /// <summary>Runs a command that must succeed and print one JSON object.</summary>
    public async Task<JsonElement> JsonAsync(string profile, params string[] args)
    {
        (int exit, string output, string error) = await RunAsync(profile, [.. args, "--json"]);
        Assert.True(exit == 0, $"ckv {string.Join(' ', args)} exited {exit}: {error}");
        using JsonDocument document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }

    /// <summary>Runs a command that must succeed; its standard output.</summary>
    public async Task<string> OkAsync(string profile, params string[] args)
    {
        (int exit, string output, string error) = await RunAsync(profile, args);
        Assert.True(exit == 0, $"ckv {string.Join(' ', args)} exited {exit}: {error}");
        return output;
    }

    /// <summary>Registers a phone for <paramref name="handle"/> on the development server.</summary>
    public Task<string> RegisterAsync(string profile, string handle, params string[] extra) =>
        OkAsync(profile, ["device", "register", "--server", Server.ToString(), "--handle", handle, "--name", profile + "'s phone", "--platform", "phone", "--os-version", "17.2", .. extra]);

    /// <summary>Turns the second factor on, as a person with an authenticator app would; the secret.</summary>
    public async Task<string> EnableTwoFactorAsync(string profile)
    {
        JsonElement enrollment = await JsonAsync(profile, "account", "2fa", "enable");
        string secret = enrollment.GetProperty("secret").GetString()!;
        await OkAsync(profile, "account", "2fa", "confirm", Totp(secret));
        return secret;
    }

    /// <summary>The authenticator's current code for <paramref name="secret"/>.</summary>
    public static string Totp(string secret) => new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(secret)).ComputeTotp();

    /// <summary>The code of the next 30-second step: the current one is spent once used, and the server allows one step of drift.</summary>
    public static string NextTotp(string secret) => new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow.AddSeconds(30));

    /// <summary>
    /// Joins a new device <paramref name="joiner"/> to the account of <paramref name="approver"/>: both commands run
    /// at once, as on two devices in one person's hands. Their exit codes and outputs.
    /// </summary>
    public async Task<((int Exit, string Output, string Error) Joiner, (int Exit, string Output, string Error) Approver)> JoinAsync(
        string joiner, string approver, string handle, string? totp, bool confirm)
    {
        Task<(int, string, string)> joining = RunAsync(joiner, ["device", "join", "--server", Server.ToString(), "--handle", handle, "--name", joiner + "'s tablet", "--platform", "tablet", "--os-version", "17.2", "--timeout", "60", .. totp is null ? Array.Empty<string>() : ["--totp", totp]]);
        Task<(int, string, string)> approving = RunAsync(approver, "device", "approve", confirm ? "--yes" : "--no", "--timeout", "60");
        return (await joining, await approving);
    }

    /// <summary>The chat status `ckv chat details NAME --json` shows, and its reasons.</summary>
    public async Task<(string Status, string[] Reasons)> StatusAsync(string profile, string contact)
    {
        JsonElement details = await JsonAsync(profile, "chat", "details", contact);
        Assert.Equal(contact, details.GetProperty("contact").GetString());
        return (details.GetProperty("status").GetString()!, details.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToArray());
    }

    public void Dispose()
    {
        Process?.Dispose();
        _data?.Dispose();
        _home.Delete(recursive: true);
    }
}
