using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace OpenCkv.Server.Tests;

/// <summary>`ckv verify` on two people's devices at once, against a server process.</summary>
public sealed partial class CliComparisonTests
{
    [Fact]
    public async Task Both_screens_show_one_code_and_marking_it_gives_the_checkmark_on_both_sides()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: true);

        Task<(int Exit, string Output, string Error)> alice = cli.RunAsync("alice", "verify", "Bob", "--yes", "--timeout", "60");
        Task<(int Exit, string Output, string Error)> bob = cli.RunAsync("bob", "verify", "Alice", "--yes", "--timeout", "60");
        (int Exit, string Output, string Error)[] both = await Task.WhenAll(alice, bob);
        Assert.True(both[0].Exit == 0, both[0].Error);
        Assert.True(both[1].Exit == 0, both[1].Error);
        string code = Code().Match(both[0].Output).Groups[1].Value;
        Assert.Matches("^[0-9]{8}$", code);
        Assert.Equal(code, Code().Match(both[1].Output).Groups[1].Value);

        Assert.Equal("Verified", (await cli.StatusAsync("alice", "Bob")).Status);
        Assert.Equal("Verified", (await cli.StatusAsync("bob", "Alice")).Status);
    }

    [Fact]
    public async Task A_screen_the_other_side_never_opens_times_out_and_a_no_is_a_warning()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: true);

        // Each opens the screen alone and gives up: whoever responds left a "ready" behind, which the next
        // comparison must not be stuck on.
        foreach ((string person, string contact) in new[] { ("alice", "Bob"), ("bob", "Alice") })
        {
            (int exit, _, string error) = await cli.RunAsync(person, "verify", contact, "--yes", "--timeout", "2");
            Assert.Equal(1, exit);
            Assert.Contains($"{contact} did not open Verify Contact", error, StringComparison.Ordinal);
            Assert.Equal("VerifyContact", (await cli.StatusAsync(person, contact)).Status);
        }

        Task<(int Exit, string Output, string Error)> alice = cli.RunAsync("alice", "verify", "Bob", "--no", "--timeout", "60");
        Task<(int Exit, string Output, string Error)> bob = cli.RunAsync("bob", "verify", "Alice", "--yes", "--timeout", "60");
        (int Exit, string Output, string Error)[] both = await Task.WhenAll(alice, bob);
        Assert.Equal(1, both[0].Exit);
        Assert.Contains("may not be talking to Bob", both[0].Error, StringComparison.Ordinal);
        Assert.Equal(0, both[1].Exit);
        (string status, string[] reasons) = await cli.StatusAsync("alice", "Bob");
        Assert.Equal(("Warning", "comparison-mismatch"), (status, Assert.Single(reasons)));
    }

    [Fact]
    public async Task Three_comparisons_in_a_row_that_stop_after_the_commitment_are_a_warning()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: true);

        // The account whose id sorts lower commits; the server then drops what reaches the other side (its
        // commitment), as a man in the middle who stops after the commitment would.
        string aliceId = (await cli.JsonAsync("alice", "device", "list")).GetProperty("accountId").GetString()!;
        string bobId = (await cli.JsonAsync("bob", "device", "list")).GetProperty("accountId").GetString()!;
        bool aliceCommits = string.CompareOrdinal(aliceId, bobId) < 0;
        (string initiator, string initiatorContact, string responder, string responderContact, string responderHandle) = aliceCommits
            ? ("alice", "Bob", "bob", "Alice", CkvCli.Bob)
            : ("bob", "Alice", "alice", "Bob", CkvCli.Alice);

        for (int round = 1; round <= 3; round++)
        {
            using (HttpResponseMessage armed = await cli.Process!.Http.PostAsJsonAsync("/dev/misbehave", new { scenario = "drop-message", handle = responderHandle }))
            {
                armed.EnsureSuccessStatusCode();
            }

            Task<(int Exit, string Output, string Error)> committing = cli.RunAsync(initiator, "verify", initiatorContact, "--yes", "--timeout", "5");
            Task<(int Exit, string Output, string Error)> answering = cli.RunAsync(responder, "verify", responderContact, "--yes", "--timeout", "5");
            (int Exit, string Output, string Error)[] both = await Task.WhenAll(committing, answering);
            Assert.Equal((1, 1), (both[0].Exit, both[1].Exit));
            string[] warnings = (await cli.JsonAsync(initiator, "alerts")).GetProperty("alerts").EnumerateArray()
                .Where(a => a.GetProperty("severity").GetString() == "warning").Select(a => a.GetProperty("code").GetString()!).ToArray();
            Assert.Equal(round == 3 ? ["comparison-aborted"] : [], warnings);
        }

        (string status, string[] reasons) = await cli.StatusAsync(initiator, initiatorContact);
        Assert.Equal(("Warning", "comparison-aborted"), (status, Assert.Single(reasons)));
    }

    [GeneratedRegex("code: ([0-9]+)")]
    private static partial Regex Code();
}
