#!/usr/bin/env bash
# Re-creates the real-traffic scenarios of eval/captures/: runs real tools against real servers on
# loopback, captures with tcpdump, converts each capture to a VPC flow log with eval/pcap/convert.ts
# through the scenario's address plan (eval/captures/NAME/scenario.json).
#
#   sudo eval/captures/record.sh [NAME ...]       (no NAME: every scenario, one after the other)
#
# Needs root (tcpdump, nmap -sS, hping3) and Debian's nmap hping3 hydra tcpdump openssh-server
# dnsmasq-base dnsutils apache2-utils curl python3. Not run in CI.
#
# All traffic stays in 127.0.0.0/8: every destination below is a 127.x address, spoofed sources
# (nmap -S, hping3 -a) are 127.x too (never --rand-source), dnsmasq forwards nowhere
# (--no-resolv, no servers), and every tool runs under timeout(1) with a bounded count or rate.
# Raw pcaps go to $RAW_DIR (default /tmp/flowhawk-captures); a gzipped copy under 1 MB is kept in the
# scenario's folder (capture.pcap.gz), so that the flow log can be re-made without root.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
RAW_DIR="${RAW_DIR:-/tmp/flowhawk-captures}"
mkdir -p "$RAW_DIR"
PIDS=()

cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

# background a server or tcpdump, remembering its pid for cleanup
spawn() { "$@" & PIDS+=("$!"); LAST_PID=$!; }
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# http server on one loopback address (a specific address, never the wildcard)
http_on() { spawn timeout 900 python3 -m http.server --bind "$1" "$2" --directory "$RAW_DIR/www" >/dev/null 2>&1; }

# capture NAME FILTER SECONDS CMD...: tcpdump around one command, then the conversion
capture() {
  local name="$1" filter="$2" limit="$3"; shift 3
  local pcap="$RAW_DIR/$name.pcap"
  spawn timeout "$((limit + 30))" tcpdump -i lo -n -s 128 -U -w "$pcap" "$filter" 2>/dev/null
  local dump=$LAST_PID
  sleep 2
  timeout "$limit" "$@" >"$RAW_DIR/$name.out" 2>&1 || echo "$name: tool exited $? (see $RAW_DIR/$name.out)"
  sleep 3
  stop "$dump"
  (cd "$REPO" && node --import tsx eval/pcap/convert.ts "$pcap" "$HERE/$name/scenario.json" "$HERE/$name/flows.log.gz")
  # the capture itself is kept beside its flow log when small (eval/captures/captures.test.ts re-converts it)
  gzip -9c "$pcap" >"$HERE/$name/capture.pcap.gz"
  if [ "$(stat -c %s "$HERE/$name/capture.pcap.gz")" -gt 1000000 ]; then rm "$HERE/$name/capture.pcap.gz"; fi
}

setup_www() {
  mkdir -p "$RAW_DIR/www"
  head -c 1200 /dev/zero | tr '\0' 'a' >"$RAW_DIR/www/index.html"
  echo ok >"$RAW_DIR/www/health"
  echo '{"task":"none"}' >"$RAW_DIR/www/task"
  for page in news mail docs shop wiki video; do head -c "$((RANDOM % 40000 + 2000))" /dev/urandom | base64 >"$RAW_DIR/www/$page"; done
}

# --- attacks ---------------------------------------------------------------------------------
portscan() { # nmap SYN scan of 1,000 ports from an internet address
  capture portscan 'host 127.0.0.10' 120 nmap -n -Pn -sS -e lo -S 127.0.0.66 --max-rate 200 -p 1-1000 127.0.0.10
}

sweep() { # a ping sweep over 40 instances, then a 3-port SYN sweep over them
  # hping3 pings: nmap -sn takes every 127.x target for a local address and sends it nothing
  capture sweep 'host 127.0.0.67' 240 bash -c \
    'for i in $(seq 20 59); do hping3 --icmp -a 127.0.0.67 -c 2 -i u100000 127.0.0.$i; done
     nmap -n -Pn -sS -e lo -S 127.0.0.67 --max-rate 50 -p 22,445,3389 127.0.0.20-59'
}

bruteforce() { # hydra against a real sshd with a test user; the right password is 70th of 80
  id fhtest >/dev/null 2>&1 || useradd -M -s /bin/false fhtest
  echo 'fhtest:sunshine70' | chpasswd
  seq 1 80 | sed 's/^/sunshine/' >"$RAW_DIR/passwords.txt"
  ssh-keygen -A >/dev/null
  mkdir -p /run/sshd
  printf 'ListenAddress 127.0.0.40\nPort 22\nPasswordAuthentication yes\nKbdInteractiveAuthentication no\nUsePAM yes\nMaxStartups 30\nMaxAuthTries 6\nPidFile %s/sshd.pid\n' "$RAW_DIR" >"$RAW_DIR/sshd_config"
  spawn timeout 400 /usr/sbin/sshd -D -f "$RAW_DIR/sshd_config"
  local sshd=$LAST_PID
  sleep 1
  capture bruteforce 'host 127.0.0.40' 300 hydra -I -l fhtest -P "$RAW_DIR/passwords.txt" -t 4 -f ssh://127.0.0.40
  stop "$sshd"
}

synflood() { # hping3 SYN flood, 9,000 SYNs at about 1,400/s from one (loopback) source
  http_on 127.0.0.50 80
  sleep 1
  capture synflood 'host 127.0.0.50' 60 hping3 -S -p 80 -a 127.0.0.68 -i u700 -c 9000 127.0.0.50
}

httpflood() { # ab: 6,000 complete GET requests, 20 at a time, against a local web server
  http_on 127.0.0.51 80
  sleep 1
  capture httpflood 'host 127.0.0.51' 90 ab -n 6000 -c 20 -s 5 http://127.0.0.51/
}

beacon() { # curl every 5 s for 5 minutes, identical request and reply, to an internet C2
  http_on 127.0.0.99 8080
  sleep 1
  capture beacon 'host 127.0.0.99' 330 bash -c \
    'for i in $(seq 60); do curl -s --interface 127.0.0.60 -o /dev/null http://127.0.0.99:8080/task; sleep 5; done'
}

deadc2() { # an implant retries a dead C2 (nothing listens: RST) every 5 s for 5 minutes
  capture deadc2 'host 127.0.0.98' 330 bash -c \
    'for i in $(seq 60); do curl -s --interface 127.0.0.61 --connect-timeout 2 -o /dev/null https://127.0.0.98/; sleep 5; done'
}

fixedport() { # an IoT bot probes telnet on 3 instances from one fixed source port, every 30 s for 5 minutes
  capture fixedport 'host 127.0.0.69' 330 bash -c \
    'for i in $(seq 10); do for h in 20 21 22; do hping3 -S -k -s 40000 -p 23 -a 127.0.0.69 -c 1 127.0.0.$h; done; sleep 30; done'
}

checkin() { # an internet client checks in with a C2 hosted on an instance: a complete GET every 5 s, 60 times
  http_on 127.0.0.53 80
  sleep 1
  capture checkin 'host 127.0.0.53' 330 bash -c \
    'for i in $(seq 60); do curl -s --interface 127.0.0.110 -o /dev/null http://127.0.0.53/task; sleep 5; done'
}

# --- benign look-alikes ----------------------------------------------------------------------
winclients() { # 25 internet clients on the legacy Windows ephemeral range call a web API on 8080 (written as v2, no tcp-flags)
  http_on 127.0.0.52 8080
  sleep 1
  capture winclients 'host 127.0.0.52' 200 bash -c '
    for round in $(seq 6); do
      for c in $(seq 100 124); do
        curl -s --interface 127.0.0.$c --local-port 1025-5000 -o /dev/null http://127.0.0.52:8080/task &
      done
      wait; sleep $((10 + RANDOM % 20))
    done'
}
healthcheck() { # a load balancer checks an instance every 10 s for 5 minutes
  http_on 127.0.0.71 80
  sleep 1
  capture healthcheck 'host 127.0.0.71' 330 bash -c \
    'for i in $(seq 30); do curl -s --interface 127.0.0.70 -o /dev/null http://127.0.0.71/health; sleep 10; done'
}

browsing() { # a workstation browses 5 sites at irregular intervals, several requests per page
  for site in 81 82 83 84 85; do http_on "127.0.0.$site" 80; done
  sleep 1
  capture browsing 'host 127.0.0.80' 330 bash -c '
    pages=(news mail docs shop wiki video index.html)
    end=$((SECONDS + 290))
    while [ $SECONDS -lt $end ]; do
      site=$((81 + RANDOM % 5)); n=$((1 + RANDOM % 4))
      for j in $(seq $n); do curl -s --interface 127.0.0.80 -o /dev/null "http://127.0.0.$site/${pages[RANDOM % 7]}" & done
      wait; sleep $((1 + RANDOM % 25))
    done'
}

dns() { # a chatty DNS client: ~800 lookups of varied names in 4 minutes against the VPC resolver
  spawn timeout 400 dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --no-poll --bind-interfaces \
    --listen-address=127.0.0.91 --port=53 --address=/corp.internal/10.0.3.3 --address=/example.com/198.51.100.7
  sleep 1
  capture dns 'host 127.0.0.91' 260 bash -c '
    end=$((SECONDS + 240))
    while [ $SECONDS -lt $end ]; do
      for k in $(seq $((1 + RANDOM % 3))); do
        dig -b 127.0.0.90 @127.0.0.91 +tries=1 +time=1 "host$((RANDOM % 40)).corp.internal" >/dev/null
      done
      sleep 0.$((RANDOM % 9 + 1))
    done'
}

# scenarios that see another one's capture through their own plan (scenario.json: captureFrom)
derived() {
  for dir in "$HERE"/*/; do
    local name from
    name="$(basename "$dir")"
    from="$(sed -n 's/^ *"captureFrom": "\(.*\)",*$/\1/p' "$dir/scenario.json")"
    [ -n "$from" ] || continue
    (cd "$REPO" && node --import tsx eval/pcap/convert.ts "$RAW_DIR/$from.pcap" "$dir/scenario.json" "$dir/flows.log.gz")
  done
}

setup_www
ALL=(portscan sweep bruteforce synflood httpflood beacon checkin deadc2 fixedport healthcheck browsing dns winclients derived)
for name in "${@:-${ALL[@]}}"; do
  echo "== $name"
  "$name"
done
