# etherbeam: `just` lists the recipes; `just run` shows the stack in a lab.

build_dir := env_var_or_default("ETHERBEAM_BUILD", "build")
socket_dir := "/run/etherbeam"
python := "/usr/bin/python3"
fuzz_targets := "ethernet arp ipv4 ipv4_fragments icmpv4 udp dhcp frame_reply offloaded_checksum tcp_segmentation firewall firewall_rules decoder"

# List the recipes
default:
    @just --list --unsorted

# Configure (once) and build everything: both daemons and the tests
build: _configure
    cmake --build {{build_dir}}

# Build the logic server only
build_etherbeam: _configure
    cmake --build {{build_dir}} --target etherbeam

# Build the privileged relay only
build_raw_binder: _configure
    cmake --build {{build_dir}} --target raw_binder

# Without arguments: the lab demo. With an interface and addresses: serve them for real
run iface="" *ips: build_raw_binder build_etherbeam
    #!/usr/bin/env bash
    set -euo pipefail
    if [[ -z "{{iface}}" ]]; then
      exec {{python}} scripts/demo.py --build {{build_dir}}
    fi
    if [[ -z "{{ips}}" ]]; then
      echo "run: give the addresses to own, e.g. just run {{iface}} 192.0.2.10/24" >&2; exit 2
    fi
    ip_args=(); for ip in {{ips}}; do ip_args+=(--ip "$ip"); done
    {{build_dir}}/bin/raw_binder --iface {{iface}} --socket-dir {{socket_dir}} &
    binder=$!
    trap 'kill $binder 2>/dev/null; wait $binder' EXIT
    {{build_dir}}/bin/etherbeam --socket-dir {{socket_dir}} "${ip_args[@]}"

# Relay frames of IFACE to and from the logic server (needs CAP_NET_RAW)
run_raw_binder iface="eth0" *args="": build_raw_binder
    {{build_dir}}/bin/raw_binder --iface {{iface}} --socket-dir {{socket_dir}} {{args}}

# Serve as ARGS say (default: --config /etc/etherbeam/etherbeam.toml)
run_etherbeam *args: build_etherbeam
    {{build_dir}}/bin/etherbeam --socket-dir {{socket_dir}} {{ if args == "" { "--config /etc/etherbeam/etherbeam.toml" } else { args } }}

# The lab demo: arping and ping from one namespace, answered by etherbeam in another;
# `just demo router`: curl, ping and traceroute through etherbeam between two links;
# `just demo home`: a home router (bridged LAN ports, DHCP, firewall and NAT to a WAN)
demo *args: build_raw_binder build_etherbeam
    {{python}} scripts/demo.py --build {{build_dir}} {{args}}

# End to end needs root. The unit and actor tests run again under AddressSanitizer
# and UBSan, then every fuzz target runs under libFuzzer for 10 s.

# Build and run every test: unit and actor (sanitized), end to end, fuzzing (seeds and regressions first)
test: build_raw_binder build_etherbeam test_sanitized
    cmake --build {{build_dir}} --target ebgen
    ctest --test-dir {{build_dir}} -L "e2e|tool" --output-on-failure
    just fuzz 10

# Unit and actor tests built with -fsanitize=address,undefined (any report fails),
# asserts on. A unity build at -O1 -g1: each folder's sources compile as a few
# files, so CAF's and GoogleTest's headers are parsed a few times, not once per source.
# (The fuzz targets' seeds and regressions run under `just fuzz`, as each fuzzer's corpus.)
test_sanitized:
    @test -f build-sanitize/CMakeCache.txt || cmake -S . -B build-sanitize -G Ninja -DETHERBEAM_SANITIZE=address,undefined \
      -DCMAKE_UNITY_BUILD=ON -DCMAKE_BUILD_TYPE=Sanitize -DCMAKE_CXX_FLAGS_SANITIZE="-O1 -g1"
    cmake --build build-sanitize --target unit_tests
    ctest --test-dir build-sanitize -LE "e2e|tool|fuzz_replay" -j "$(nproc)" --output-on-failure

# Benchmark: ping round-trip answered by etherbeam vs by the kernel, same veth
bench: build_raw_binder build_etherbeam
    {{python}} bench/ping_rtt.py --build {{build_dir}}

# Benchmark: ICMP/ARP floods and paced latency, kernel vs each concurrency model, with plots
bench_flood *args: build_raw_binder build_etherbeam
    cmake --build {{build_dir}} --target ebgen
    {{python}} bench/flood.py --build {{build_dir}} {{args}}

# Benchmark: perfdhcp DORA rate against etherbeam, Kea and dnsmasq, same veth
bench_dhcp *args: build_raw_binder build_etherbeam
    {{python}} bench/dhcp_rate.py --build {{build_dir}} {{args}}

# Benchmark: resident memory with 100,000 active leases, etherbeam vs Kea
bench_leases *args: build_raw_binder build_etherbeam
    {{python}} bench/lease_memory.py --build {{build_dir}} {{args}}

# An input that breaks a target is saved under build-fuzz/crashes/TARGET/ and
# belongs in tests/fuzz/regressions/TARGET/ once fixed.

# Run every libFuzzer target (clang, ASan+UBSan) for SECONDS each from the seed corpora, one per core
fuzz seconds="60":
    #!/usr/bin/env bash
    set -euo pipefail
    test -f build-fuzz/CMakeCache.txt || CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DETHERBEAM_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
    cmake --build build-fuzz
    {{python}} tests/fuzz/make_seeds.py build-fuzz/seeds
    fuzz_one() {
      local target=$1 corpus=build-fuzz/corpus/$1 crashes=build-fuzz/crashes/$1 regressions=()
      mkdir -p "$corpus" "$crashes"
      [[ -d tests/fuzz/regressions/$target ]] && regressions=(tests/fuzz/regressions/$target)
      if build-fuzz/bin/fuzz_$target -max_total_time={{seconds}} -print_final_stats=1 \
           -artifact_prefix="$crashes/" "$corpus" build-fuzz/seeds/$target "${regressions[@]}" \
           2>build-fuzz/fuzz_$target.log; then
        echo "fuzz: $target for {{seconds}} s: $(grep -E "stat::number_of_executed_units|stat::new_units_added" \
          build-fuzz/fuzz_$target.log | tr '\n' ' ')"
      else
        echo "fuzz: $target FAILED; its log ends:"; tail -40 build-fuzz/fuzz_$target.log
        touch build-fuzz/failed_$target
      fi
    }
    rm -f build-fuzz/failed_*
    for target in {{fuzz_targets}}; do
      while (( $(jobs -rp | wc -l) >= $(nproc) )); do wait -n || true; done
      fuzz_one "$target" &
    done
    wait
    if compgen -G "build-fuzz/failed_*" >/dev/null; then
      echo "fuzz: failed: $(ls build-fuzz/failed_* | sed 's|build-fuzz/failed_||' | tr '\n' ' ')" >&2; exit 1
    fi

_configure:
    @test -f {{build_dir}}/CMakeCache.txt || cmake -S . -B {{build_dir}} -G Ninja
