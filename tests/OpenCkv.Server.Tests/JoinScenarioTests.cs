namespace OpenCkv.Server.Tests;

/// <summary>
/// The server taking a side in a keychain join (docs/threat-model.md; ckv-protocol §6.2): a device of its own asking
/// to join, which only the person's confirmation could let in; and the server answering a real new device in the
/// name of the account's device, which the new device refuses because its verified record does not check out.
/// </summary>
public sealed class JoinScenarioTests
{
    [Fact]
    public async Task A_device_the_server_made_asks_to_join_and_without_the_persons_confirmation_gets_nothing()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: true);
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "VerifyContact");
        uint? trusted = await Scenarios.PinnedVersionAsync(cli, "alice", "Bob");

        // The server's device waits like any joining device; Bob's phone shows a join code Bob never asked for.
        string intruder = (await Scenarios.PlayAsync(cli, "server-join", CkvCli.Bob)).GetProperty("deviceId").GetString()!;
        (int exit, string output, string error) = await cli.RunAsync("bob", "device", "approve", "--no", "--timeout", "30");
        Assert.True(exit == 1, $"approve exited {exit}: {output} {error}");
        Assert.Contains("refused", error, StringComparison.Ordinal);

        Assert.DoesNotContain(intruder, await cli.OkAsync("bob", "device", "list"), StringComparison.Ordinal);
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "VerifyContact");
        Assert.Equal(trusted, await Scenarios.PinnedVersionAsync(cli, "alice", "Bob"));
        await cli.OkAsync("alice", "send", "Bob", "only Bob's phone");
        Assert.Contains("only Bob's phone", await cli.OkAsync("bob", "inbox"), StringComparison.Ordinal);
        Assert.Empty(await Scenarios.AttackerReadAsync(cli));
    }

    [Fact]
    public async Task A_server_posing_as_the_approving_device_gets_no_account_key_onto_the_new_device()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        IReadOnlyDictionary<string, string> secrets = await cli.TwoPeopleAsync(ckvOn: true);
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "VerifyContact");

        // Bob's new tablet asks to join; the server answers in the name of Bob's phone and "approves" the tablet
        // with a record no account key signed.
        await Scenarios.PlayAsync(cli, "fake-approver", CkvCli.Bob);
        (int exit, _, string error) = await cli.RunAsync(
            "bob-tablet", "device", "join", "--server", cli.Server.ToString(), "--handle", CkvCli.Bob, "--name", "Bob's tablet",
            "--platform", "tablet", "--os-version", "17.2", "--timeout", "30", "--totp", CkvCli.NextTotp(secrets["bob"]));
        Assert.True(exit == 1, $"join exited {exit}: {error}");
        Assert.Contains("could not be verified", error, StringComparison.Ordinal);
        Assert.Equal(1, (await cli.RunAsync("bob-tablet", "device", "list")).Exit);

        // The unsigned record is what everyone else now finds: a device the account key never signed.
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "Warning", "unknown-device");
        await Scenarios.NothingSentAsync(cli, "alice", "Bob", "bob");
    }
}
