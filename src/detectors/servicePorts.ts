/**
 * Named port lists the detectors share. Each is a default parameter value, overridable in the config.
 */

/** Services where a session is a login: repeated short sessions to them are password guessing. */
export const AUTH_PORTS: readonly number[] = [
  21, // FTP
  22, // SSH
  23, // telnet
  110, // POP3
  139, // NetBIOS session (SMB over NetBIOS)
  143, // IMAP
  445, // SMB
  993, // IMAPS
  995, // POP3S
  1433, // Microsoft SQL Server
  1521, // Oracle
  2222, // SSH, common alternative
  3306, // MySQL
  3389, // RDP
  5060, // SIP (registration guessing)
  5432, // PostgreSQL
  5900, // VNC
  5985, // WinRM HTTP
  5986, // WinRM HTTPS
];

/**
 * Admin, database and cluster services that should never answer the whole internet. Unlike AUTH_PORTS
 * it leaves out services built to face the internet (FTP, mail, SIP).
 */
export const SENSITIVE_PORTS: readonly number[] = [
  22, // SSH
  23, // telnet
  139, // NetBIOS session
  445, // SMB
  1433, // Microsoft SQL Server
  1521, // Oracle
  2222, // SSH, common alternative
  3306, // MySQL
  3389, // RDP
  5432, // PostgreSQL
  5900, // VNC
  5985, // WinRM HTTP
  5986, // WinRM HTTPS
  135, // Microsoft RPC
  2375, // Docker API (no TLS)
  2376, // Docker API
  2379, // etcd
  5601, // Kibana
  5984, // CouchDB
  6379, // Redis
  6443, // Kubernetes API
  8086, // InfluxDB
  8500, // Consul
  9200, // Elasticsearch
  9300, // Elasticsearch transport
  10250, // kubelet
  11211, // memcached
  27017, // MongoDB
];

/** Remote administration inside a network: what lateral movement rides on. */
export const REMOTE_ADMIN_PORTS: readonly number[] = [22, 135, 139, 445, 3389, 5985, 5986];
