using OpenCkv.Client;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Cli.Commands;

/// <summary>`ckv device …`, `ckv account 2fa …` and `ckv verification …` (DESIGN §9).</summary>
internal static class DeviceCommands
{
    private const string RegisterUsage =
        "device register --server URL --handle HANDLE --name NAME --platform phone|tablet|watch|desktop|headset --os-version V [--no-passcode] [--no-keychain] [--code CODE] [--log-config SHA256]";

    public static Task<int> RegisterAsync(IReadOnlyList<string> args) => DeviceRunner.RunAsync("device register", RegisterUsage, args, async a =>
    {
        if (a.Option("--server") is not { } server || a.Option("--handle") is not { } handle || a.Option("--name") is not { } name ||
            a.Option("--platform") is not { } platform || a.Option("--os-version") is not { } osVersion ||
            !Uri.TryCreate(server, UriKind.Absolute, out Uri? serverUri) || a.UnknownFlags("--no-passcode", "--no-keychain").Any())
        {
            return Output.Usage(RegisterUsage);
        }

        var setup = new DeviceSetup(serverUri, handle, name, platform, osVersion, !a.Flag("--no-passcode"), !a.Flag("--no-keychain"), a.Option("--code"), a.Option("--log-config"));
        RegisteredDevice registered = await CkvDevice.RegisterAsync(Profiles.Folder(a), setup).ConfigureAwait(false);
        using CkvDevice device = registered.Device;
        if (registered.TrustedOnFirstUse)
        {
            Console.Error.WriteLine($"NOTICE: no --log-config given: this device now trusts the log configuration {device.ConfigurationFingerprint} that the server presented (trust on first use). Compare it with the fingerprint the operator publishes.");
        }

        if (a.Json)
        {
            Output.Json(new { profile = Profiles.Name(a), label = device.Label, accountId = Hex(device.AccountId), deviceId = Hex(device.DeviceId), logConfiguration = device.ConfigurationFingerprint, trustedOnFirstUse = registered.TrustedOnFirstUse });
        }
        else
        {
            Console.WriteLine($"registered {device.DeviceName} ({Hex(device.DeviceId)}) for {device.Label}; the account key and keychain circle start on this device");
            Console.WriteLine($"log configuration pinned: {device.ConfigurationFingerprint}");
        }

        return 0;
    });

    public static Task<int> ListAsync(IReadOnlyList<string> args) => DeviceRunner.RunAsync("device list", "device list [--json]", args, a => DeviceRunner.WithDeviceAsync(a, async device =>
    {
        AccountMessage account = await device.AccountAsync().ConfigureAwait(false);
        if (a.Json)
        {
            Output.Json(new { account.AccountId, account.TwoFactor, account.CkvState, devices = account.Devices, self = Hex(device.DeviceId) });
            return 0;
        }

        foreach (DeviceMessage d in account.Devices)
        {
            DeviceFactsMessage f = d.Facts;
            string self = d.DeviceId == Hex(device.DeviceId) ? " (this device)" : string.Empty;
            Console.WriteLine($"{d.DeviceId}  {f.Name}{self}: {f.Platform} {f.SoftwareVersion}, passcode {OnOff(f.Passcode)}, keychain {OnOff(f.Keychain)}");
        }

        return 0;
    }));

    public static Task<int> UpdateAsync(IReadOnlyList<string> args) => DeviceRunner.RunAsync(
        "device update", "device update [--os-version V] [--passcode on|off] [--keychain on|off]", args, a => DeviceRunner.WithDeviceAsync(a, async device =>
        {
            await device.UpdateDeviceAsync(a.Option("--os-version"), a.Switch("--passcode"), a.Switch("--keychain")).ConfigureAwait(false);
            Console.WriteLine("updated what this device reports");
            return 0;
        }));

    public static Task<int> TwoFactorAsync(IReadOnlyList<string> args) => DeviceRunner.RunAsync(
        "account 2fa", "account 2fa enable | confirm CODE | disable CODE", args, a => DeviceRunner.WithDeviceAsync(a, async device =>
        {
            switch (a.Positionals)
            {
                case ["enable"]:
                    TwoFactorEnrollment enrollment = await device.BeginTwoFactorAsync().ConfigureAwait(false);
                    if (a.Json)
                    {
                        Output.Json(new { secret = enrollment.Secret, uri = enrollment.Uri });
                    }
                    else
                    {
                        Console.WriteLine($"secret: {enrollment.Secret}");
                        Console.WriteLine($"uri: {enrollment.Uri}");
                        Console.WriteLine("add it to an authenticator app, then run `ckv account 2fa confirm CODE`");
                    }

                    return 0;
                case ["confirm", var code]:
                    await device.ConfirmTwoFactorAsync(code).ConfigureAwait(false);
                    Console.WriteLine("two-factor authentication is on");
                    return 0;
                case ["disable", var code]:
                    await device.DisableTwoFactorAsync(code).ConfigureAwait(false);
                    Console.WriteLine("two-factor authentication is off");
                    return 0;
                default:
                    throw new UsageException("say enable, confirm CODE or disable CODE");
            }
        }, words => words is ["enable"] or ["confirm", _] or ["disable", _]));

    public static Task<int> VerificationAsync(IReadOnlyList<string> args) => DeviceRunner.RunAsync(
        "verification", "verification on | off | status [--json]", args, a => DeviceRunner.WithDeviceAsync(a, async device =>
        {
            switch (a.Positionals)
            {
                case ["on"] or ["off"]:
                    bool on = a.Positionals[0] == "on";
                    ChangeReceiptMessage receipt = await device.SetVerificationAsync(on).ConfigureAwait(false);
                    if (a.Json)
                    {
                        Output.Json(new { ckv = on ? "on" : "off", position = receipt.Position, versions = receipt.Versions });
                    }
                    else
                    {
                        Console.WriteLine($"Contact Key Verification is {(on ? "on" : "off")} for every device of this account (log entry {receipt.Position})");
                    }

                    return 0;
                case ["status"]:
                    await device.CheckOwnRecordsAsync().ConfigureAwait(false);
                    RequirementsMessage requirements = await device.RequirementsAsync().ConfigureAwait(false);
                    if (a.Json)
                    {
                        Output.Json(new { ckv = device.OwnCkvOn ? "on" : "off", canEnable = requirements.CanEnable, blockers = requirements.Blockers });
                        return 0;
                    }

                    Console.WriteLine($"Contact Key Verification: {(device.OwnCkvOn ? "on" : "off")}");
                    foreach (BlockerMessage blocker in requirements.Blockers)
                    {
                        Console.WriteLine($"  blocks turning it on: {blocker.DeviceName ?? "this account"}: {blocker.Reason} — {blocker.WayOut}");
                    }

                    return 0;
                default:
                    throw new UsageException("say on, off or status");
            }
        }, words => words is ["on"] or ["off"] or ["status"]));

    public static Task<int> SignOutAsync(IReadOnlyList<string> args) => DeviceRunner.RunAsync("device signout", "device signout [DEVICE-ID] [--lost] [--timeout SECONDS]", args, async a =>
    {
        if (a.Positionals.Count > 1 || a.UnknownFlags("--lost").Any())
        {
            throw new UsageException("name at most one device");
        }

        string folder = Profiles.Folder(a);
        SignedOut done;
        using (CkvDevice device = CkvDevice.Open(folder))
        {
            TimeSpan? timeout = a.Option("--timeout") is { } text
                ? int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out int seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : throw new UsageException("--timeout takes a number of seconds")
                : null;
            if (a.Flag("--lost"))
            {
                Console.WriteLine("rotating the account key: the other devices of the account prove the new key at their next sync…");
            }

            done = await device.SignOutAsync(a.Positionals.Count == 1 ? a.Positionals[0] : null, a.Flag("--lost"), timeout).ConfigureAwait(false);
        }

        if (done.ThisDevice)
        {
            // Its keys are erased; what is left of the profile goes too.
            System.IO.Directory.Delete(folder, recursive: true);
            Console.WriteLine($"this device is signed out (log entry {done.Position}); its keys and profile are erased");
        }
        else
        {
            Console.WriteLine(done.Rotated
                ? $"device {done.DeviceId} is removed as lost; the account key rotated, cross-signed by the old one (log entry {done.Position}). Contacts who saved your code are told it changed."
                : $"device {done.DeviceId} is signed out (log entry {done.Position})");
        }

        return 0;
    });

    internal static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static string OnOff(bool value) => value ? "on" : "off";
}
