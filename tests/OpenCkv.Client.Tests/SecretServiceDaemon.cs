using System.Diagnostics;
using System.Text;
using OpenCkv.Client.Secrets;

namespace OpenCkv.Client.Tests;

/// <summary>
/// A real Secret Service for the tests: a private D-Bus session bus (dbus-daemon) with gnome-keyring-daemon on it,
/// all in a fresh folder (its own HOME and XDG folders), the login keyring created and unlocked with
/// <see cref="Password"/>. The bus activates nothing, so no other keyring can start on it. Needs Debian's dbus,
/// gnome-keyring and libsecret-tools (<c>scripts/keyring.sh</c> installs them).
/// </summary>
public sealed class SecretServiceDaemon : IDisposable
{
    public const string Password = "openckv test keyring";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly TempFolder _folder = new();
    private readonly Process _bus;
    private Process? _keyring;

    public SecretServiceDaemon()
        : this(keyring: true)
    {
    }

    private SecretServiceDaemon(bool keyring)
    {
        try
        {
            foreach (string name in (string[])["home", "run", "data", "config", "cache"])
            {
                string path = Path.Combine(_folder.Path, name);
                Directory.CreateDirectory(path);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }

            string config = _folder.File("bus.conf");
            File.WriteAllText(config, $"""
                <busconfig>
                  <type>session</type>
                  <listen>unix:path={_folder.File("bus")}</listen>
                  <auth>EXTERNAL</auth>
                  <policy context="default">
                    <allow send_destination="*" eavesdrop="true"/>
                    <allow eavesdrop="true"/>
                    <allow own="*"/>
                  </policy>
                </busconfig>
                """);
            _bus = Start("dbus-daemon", ["--config-file=" + config, "--nofork", "--print-address=1"], readOutput: false);
            Task<string?> address = _bus.StandardOutput.ReadLineAsync();
            if (!address.Wait(StartTimeout) || string.IsNullOrEmpty(address.Result))
            {
                throw new InvalidOperationException($"dbus-daemon printed no address: {_bus.StandardError.ReadToEnd()}");
            }

            BusAddress = address.Result;
            if (keyring)
            {
                StartKeyring();
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The private bus's address, as <c>DBUS_SESSION_BUS_ADDRESS</c> would hold it.</summary>
    public string BusAddress { get; } = "";

    /// <summary>Where gnome-keyring keeps its keyring files.</summary>
    public string KeyringFolder => Path.Combine(_folder.Path, "data", "keyrings");

    /// <summary>A private bus with no Secret Service on it.</summary>
    public static SecretServiceDaemon BusOnly() => new(keyring: false);

    /// <summary>Kills gnome-keyring-daemon at once (no clean shutdown) and starts it again on the same files.</summary>
    public void KillAndRestartKeyring()
    {
        StopKeyring();
        StartKeyring();
    }

    /// <summary>Locks the default collection through the bus with dbus-send (<c>Service.Lock</c>), as a screen lock does.</summary>
    public void LockDefaultCollection()
    {
        string reply = Run("dbus-send", ["--bus=" + BusAddress, "--print-reply", "--dest=org.freedesktop.secrets", "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.ReadAlias", "string:default"], input: null).Output;
        string collection = reply.Split('"')[1];
        Assert.StartsWith("/org/freedesktop/secrets/collection/", collection);
        Run("dbus-send", ["--bus=" + BusAddress, "--print-reply", "--dest=org.freedesktop.secrets", "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock", "array:objpath:" + collection], input: null);
    }

    /// <summary>Runs libsecret's secret-tool on this bus: the exit code and its raw output.</summary>
    public (int Exit, byte[] Output) SecretTool(IReadOnlyList<string> args, byte[]? input = null)
    {
        (int exit, string _, byte[] output) = RunRaw("secret-tool", args, input);
        return (exit, output);
    }

    public void Dispose()
    {
        StopKeyring();
        if (_bus is not null)
        {
            Stop(_bus);
        }

        _folder.Dispose();
    }

    private void StartKeyring()
    {
        _keyring = Start("gnome-keyring-daemon", ["--foreground", "--unlock", "--components=secrets"], readOutput: true);
        _keyring.StandardInput.Write(Password);
        _keyring.StandardInput.Close();
        var waited = Stopwatch.StartNew();
        while (!SecretServiceStore.IsAvailable(BusAddress, TimeSpan.FromSeconds(1)))
        {
            if (_keyring.HasExited || waited.Elapsed > StartTimeout)
            {
                throw new InvalidOperationException($"gnome-keyring-daemon did not come up on {BusAddress} (exited: {_keyring.HasExited}).");
            }

            Thread.Sleep(50);
        }
    }

    private void StopKeyring()
    {
        if (_keyring is not null)
        {
            Stop(_keyring);
            _keyring = null;
        }
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        process.Dispose();
    }

    private Process Start(string program, IReadOnlyList<string> args, bool readOutput)
    {
        ProcessStartInfo start = StartInfo(program, args);
        start.RedirectStandardInput = true;
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{program} is not installed: run scripts/keyring.sh (Debian packages dbus, gnome-keyring, libsecret-tools).", e);
        }

        process.ErrorDataReceived += static (_, _) => { };
        process.BeginErrorReadLine();
        if (readOutput)
        {
            process.OutputDataReceived += static (_, _) => { };
            process.BeginOutputReadLine();
        }

        return process;
    }

    private (int Exit, string Output) Run(string program, IReadOnlyList<string> args, byte[]? input)
    {
        (int exit, string error, byte[] output) = RunRaw(program, args, input);
        Assert.True(exit == 0, $"{program} {string.Join(' ', args)} failed ({exit}): {error}");
        return (exit, Encoding.UTF8.GetString(output));
    }

    private (int Exit, string Error, byte[] Output) RunRaw(string program, IReadOnlyList<string> args, byte[]? input)
    {
        ProcessStartInfo start = StartInfo(program, args);
        start.RedirectStandardInput = true;
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        var output = new MemoryStream();
        Task copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        if (input is not null)
        {
            process.StandardInput.BaseStream.Write(input);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(StartTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish.");
        }

        copy.Wait();
        return (process.ExitCode, error.Result, output.ToArray());
    }

    private ProcessStartInfo StartInfo(string program, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DBUS_SESSION_BUS_ADDRESS"] = BusAddress;
        start.Environment["HOME"] = Path.Combine(_folder.Path, "home");
        start.Environment["XDG_RUNTIME_DIR"] = Path.Combine(_folder.Path, "run");
        start.Environment["XDG_DATA_HOME"] = Path.Combine(_folder.Path, "data");
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(_folder.Path, "config");
        start.Environment["XDG_CACHE_HOME"] = Path.Combine(_folder.Path, "cache");
        start.Environment.Remove("DISPLAY");
        start.Environment.Remove("WAYLAND_DISPLAY");
        return start;
    }
}
