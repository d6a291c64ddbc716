using OpenCkv.Client;

namespace OpenCkv.Cli.Commands;

/// <summary>
/// Runs a device command: parses its arguments, opens the profile, and turns the SDK's refusals into the exit
/// codes of DESIGN §9 (0 done, 1 refused or failed with a message on stderr, 2 usage error).
/// </summary>
internal static class DeviceRunner
{
    public static async Task<int> RunAsync(string command, string usage, IReadOnlyList<string> args, Func<CliArgs, Task<int>> body)
    {
        CliArgs? parsed = CliArgs.Parse(args);
        if (parsed is null)
        {
            return Output.Usage(usage);
        }

        try
        {
            return await body(parsed).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"ckv {command}: {e.Message}");
            return Output.Usage(usage);
        }
        catch (RequirementsException e)
        {
            if (parsed.Json)
            {
                Output.Json(new { canEnable = false, blockers = e.Blockers });
            }

            Console.Error.WriteLine("Contact key verification cannot be turned on yet:");
            foreach (Protocol.Api.BlockerMessage blocker in e.Blockers)
            {
                Console.Error.WriteLine($"  - {blocker.DeviceName ?? "this account"}: {blocker.Reason} — {blocker.WayOut}");
            }

            return 1;
        }
        catch (CkvException e)
        {
            return Output.Refused(command, e.Message);
        }
        catch (HttpRequestException e)
        {
            return Output.Refused(command, $"the server did not answer: {e.Message}");
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException or Microsoft.Data.Sqlite.SqliteException)
        {
            return Output.Refused(command, $"the profile could not be used: {e.Message}");
        }
    }

    /// <summary>Runs <paramref name="body"/> with the profile's device, once the words have a shape the command takes.</summary>
    public static async Task<int> WithDeviceAsync(CliArgs args, Func<CkvDevice, Task<int>> body, Func<IReadOnlyList<string>, bool>? shape = null)
    {
        if (shape is not null && !shape(args.Positionals))
        {
            throw new UsageException("that is not one of this command's forms");
        }

        using CkvDevice device = CkvDevice.Open(Profiles.Folder(args));
        return await body(device).ConfigureAwait(false);
    }
}
