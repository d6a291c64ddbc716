namespace OpenCkv.Server.Tests;

/// <summary>`ckv account reset` when every device of an account is lost, and what a contact sees.</summary>
public sealed class CliResetTests
{
    [Fact]
    public async Task A_reset_is_a_sticky_warning_for_a_contact_who_saw_ckv_on_until_the_new_code_is_verified()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        string secret = (await cli.TwoPeopleAsync(ckvOn: true))["alice"];

        await cli.OkAsync("bob", "contacts", "set-code", "Alice", (await cli.OkAsync("alice", "code", "copy")).Trim());
        Assert.Equal("Verified", (await cli.StatusAsync("bob", "Alice")).Status);

        // Every device of Alice is lost: a new phone resets the account with the handle code and her second factor.
        (int exit, _, string error) = await cli.RunAsync("alice-new", "account", "reset", "--server", cli.Server.ToString(), "--handle", CkvCli.Alice,
            "--name", "new phone", "--platform", "phone", "--os-version", "17.2", "--totp", CkvCli.NextTotp(secret));
        Assert.True(exit == 0, error);
        Assert.Equal("on", (await cli.JsonAsync("alice-new", "verification", "status")).GetProperty("ckv").GetString());
        Assert.Equal(1, (await cli.RunAsync("alice", "device", "list")).Exit);

        // Bob: the uncross-signed key change is a warning that stays, and nothing is sent meanwhile.
        (string status, string[] reasons) = await cli.StatusAsync("bob", "Alice");
        Assert.Equal(("Warning", "uncross-signed-key-change"), (status, Assert.Single(reasons)));
        (status, reasons) = await cli.StatusAsync("bob", "Alice"); // the same honest record again: still warned
        Assert.Equal(("Warning", "uncross-signed-key-change"), (status, Assert.Single(reasons)));
        Assert.Equal(1, (await cli.RunAsync("bob", "send", "Alice", "hello?")).Exit);

        // Bob verifies the new code with Alice: the checkmark is back and the warning resolved.
        await cli.OkAsync("bob", "contacts", "set-code", "Alice", (await cli.OkAsync("alice-new", "code", "copy")).Trim());
        Assert.Equal("Verified", (await cli.StatusAsync("bob", "Alice")).Status);
        await cli.OkAsync("bob", "send", "Alice", "welcome back");
        Assert.Contains("welcome back", await cli.OkAsync("alice-new", "inbox"), StringComparison.Ordinal);
    }
}
