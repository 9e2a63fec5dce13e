# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
#
# Shared helpers of the QEMU guest harness (tests/vm/). Sourced, not run.
#
# Kernel providers: a kernel NAME is resolved by
#   1. tests/vm/kernels.d/NAME, if that file exists and is executable: it is
#      called as `kernels.d/NAME info` or `kernels.d/NAME fetch` and must print
#      the KEY=VALUE lines described at vm_kernel_info (fetch may print
#      progress on stderr only);
#   2. otherwise Debian's packaged kernels: "6.1" (linux-image-amd64), "6.12"
#      (linux-image-6.12-amd64), or an explicit release such as
#      "6.1.0-56-amd64" (linux-image-6.1.0-56-amd64).

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_CACHE=${SEALFS_CACHE:-$HOME/.cache/sealfs}
VM_PROG=${VM_PROG:-$(basename "$0")}
# What in a kernel log (or kmemleak's report) is a finding: used by
# tests/vm/run for the whole boot and by tests/vm/guest-suite per test.
# shellcheck disable=SC2034 # used by the scripts that source this file
VM_FINDINGS='WARNING:|BUG:|Oops|general protection fault|kernel BUG at|possible circular locking|inconsistent lock state|possible recursive locking|suspicious RCU usage|list_(add|del) corruption|list_add double add|unreferenced object|UBSAN|INFO: task .* blocked for more than|Kernel panic'

vm_msg() { printf '%s: %s\n' "$VM_PROG" "$*" >&2; }
vm_die() { vm_msg "error: $*"; exit "${VM_DIE_STATUS:-125}"; }

# vm_debian_packages NAME: prints "META_IMAGE META_HEADERS GLOB" for a Debian
# series name, or the package names of an explicit kernel release.
vm_debian_packages() {
	case $1 in
	6.1) echo "linux-image-amd64 linux-headers-amd64 6.1.0-*-amd64" ;;
	6.12) echo "linux-image-6.12-amd64 linux-headers-6.12-amd64 6.12.*-amd64" ;;
	[0-9]*.[0-9]*-*) echo "linux-image-$1 linux-headers-$1 $1" ;;
	*) return 1 ;;
	esac
}

# vm_apt_dep PKG PREFIX: the dependency of metapackage PKG that starts with
# PREFIX (e.g. linux-image-6.1.0-56-amd64), from apt's local lists.
# apt-cache takes most of a second, so answers are cached until apt's lists
# or dpkg's status change.
vm_apt_dep() {
	local memo=$VM_CACHE/kernels/.apt-depends-$1 stamp line dep
	stamp=$(stat -c %Y /var/lib/apt/lists /var/lib/dpkg/status 2>/dev/null | tr '\n' .)
	if [[ -f $memo ]] && read -r line dep <"$memo" && [[ $line == "$stamp" && -n $dep ]]; then
		echo "$dep"
		return 0
	fi
	dep=$(apt-cache depends --no-recommends --no-suggests "$1" 2>/dev/null |
		sed -n "s/^ *Depends: \($2[^ ]*\)\$/\1/p" | head -n 1)
	if [[ -n $dep ]] && mkdir -p "$VM_CACHE/kernels" 2>/dev/null; then
		echo "$stamp $dep" >"$memo.$$" && mv "$memo.$$" "$memo"
	fi
	echo "$dep"
}

# vm_debian_release NAME [--update]: the kernel release (uname -r) NAME
# currently stands for. With --update, runs apt-get update once when apt does
# not know the metapackage. Falls back to the newest fetched kernel of the
# series when apt cannot tell.
vm_debian_release() {
	local name=$1 update=${2:-} meta_img glob pkg krel
	read -r meta_img _ glob < <(vm_debian_packages "$name") ||
		vm_die "unknown kernel name '$name' (known: 6.1, 6.12, a Debian release such as 6.1.0-56-amd64, or a tests/vm/kernels.d/ provider)"
	if [[ $glob == *'*'* ]]; then
		pkg=$(vm_apt_dep "$meta_img" linux-image-)
		if [[ -z $pkg && $update == --update ]]; then
			vm_msg "apt does not know $meta_img; running apt-get update"
			apt-get update -qq >&2 || vm_die "apt-get update failed"
			pkg=$(vm_apt_dep "$meta_img" linux-image-)
		fi
		krel=${pkg#linux-image-}
		krel=${krel%-unsigned}
		if [[ -z $krel ]]; then
			# No apt information: newest kernel of the series in the cache.
			krel=$(cd "$VM_CACHE/kernels" 2>/dev/null &&
				for d in $glob; do [[ -f $d/.complete ]] && echo "$d"; done | sort -V | tail -n 1) || true
			[[ -n $krel ]] || vm_die "cannot resolve kernel '$name': apt does not know $meta_img and no such kernel is cached (run tests/vm/fetch-kernel $name)"
			vm_msg "apt does not know $meta_img; using cached $krel"
		fi
	else
		krel=$name
	fi
	echo "$krel"
}

# vm_kdir KREL: the kernel build (headers) directory for KREL.
vm_kdir() {
	local d
	for d in "/usr/src/linux-headers-$1" "/lib/modules/$1/build"; do
		if [[ -f $d/include/generated/utsrelease.h || -f $d/Makefile ]]; then
			echo "$d"
			return 0
		fi
	done
	echo "/usr/src/linux-headers-$1"
}

# vm_debian_info NAME: prints the KEY=VALUE description of a fetched Debian
# kernel (see vm_kernel_info); fails if it is not fetched yet.
vm_debian_info() {
	local krel kc
	krel=$(vm_debian_release "$1") || return 125
	kc=$VM_CACHE/kernels/$krel
	[[ -f $kc/.complete ]] || return 3
	vm_print_info "$1" "$krel" "$kc/vmlinuz" "$kc/lib/modules/$krel" "$(vm_kdir "$krel")" "$kc"
}

vm_print_info() {
	printf 'KERNEL_NAME=%q\nKREL=%q\nVMLINUZ=%q\nMODDIR=%q\nKDIR=%q\nKCACHE=%q\n' "$@"
}

# vm_host_packages: installs what the harness needs on the host, if missing.
vm_host_packages() {
	local want=(qemu-system-x86 busybox-static cpio kmod xz-utils zstd file binutils) missing=() p
	for p in "${want[@]}"; do
		dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
	done
	((${#missing[@]})) || return 0
	vm_apt_install "${missing[@]}"
}

# vm_apt_install PKG...: apt-get install, with one apt-get update first when a
# package is unknown.
vm_apt_install() {
	local p known=1
	for p in "$@"; do
		apt-cache show "$p" >/dev/null 2>&1 || known=0
	done
	if ((!known)); then
		vm_msg "running apt-get update"
		apt-get update -qq >&2 || vm_die "apt-get update failed"
	fi
	vm_msg "installing $*"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2 ||
		vm_die "apt-get install $* failed"
}

# vm_debian_fetch NAME: downloads and unpacks the kernel image into the cache
# and installs its headers. Idempotent; safe to run concurrently.
vm_debian_fetch() {
	local name=$1 krel kc img hdr tmp deb src
	vm_host_packages
	krel=$(vm_debian_release "$name" --update) || exit
	img=linux-image-$krel
	hdr=linux-headers-$krel
	kc=$VM_CACHE/kernels/$krel
	mkdir -p "$VM_CACHE/kernels" "$VM_CACHE/dl"
	exec {lockfd}>"$VM_CACHE/kernels/.lock-$krel"
	flock "$lockfd"
	if [[ ! -f $kc/.complete ]]; then
		# Reuse a .deb already downloaded (any version of the same ABI).
		deb=$(find "$VM_CACHE/dl" -maxdepth 1 -name "${img}_*.deb" 2>/dev/null | sort -V | tail -n 1)
		if [[ -z $deb ]]; then
			if ! apt-cache show "$img" >/dev/null 2>&1; then
				apt-get update -qq >&2 || vm_die "apt-get update failed"
			fi
			vm_msg "downloading $img"
			tmp=$(mktemp -d "$VM_CACHE/dl/.tmp.XXXXXX")
			chmod 755 "$tmp"
			(cd "$tmp" && apt-get download "$img" >&2) ||
				{ rm -rf "$tmp"; vm_die "apt-get download $img failed"; }
			mv "$tmp"/"${img}"_*.deb "$VM_CACHE/dl/"
			rm -rf "$tmp"
			deb=$(find "$VM_CACHE/dl" -maxdepth 1 -name "${img}_*.deb" | sort -V | tail -n 1)
		fi
		vm_msg "unpacking $(basename "$deb") into $kc"
		tmp=$(mktemp -d "$VM_CACHE/kernels/.tmp-$krel.XXXXXX")
		dpkg-deb -x "$deb" "$tmp/x" || { rm -rf "$tmp"; vm_die "dpkg-deb -x $deb failed"; }
		src=$tmp/x/lib/modules/$krel
		[[ -d $src ]] || src=$tmp/x/usr/lib/modules/$krel
		[[ -d $src && -f $tmp/x/boot/vmlinuz-$krel ]] ||
			{ rm -rf "$tmp"; vm_die "$deb has no vmlinuz-$krel or modules/$krel"; }
		mkdir -p "$tmp/k/lib/modules"
		mv "$src" "$tmp/k/lib/modules/$krel"
		mv "$tmp/x/boot/vmlinuz-$krel" "$tmp/k/vmlinuz"
		mv "$tmp/x/boot/config-$krel" "$tmp/k/config" 2>/dev/null || true
		mv "$tmp/x/boot/System.map-$krel" "$tmp/k/System.map" 2>/dev/null || true
		depmod -b "$tmp/k" "$krel" || { rm -rf "$tmp"; vm_die "depmod failed for $krel"; }
		basename "$deb" >"$tmp/k/.deb"
		rm -rf "$kc"
		mv "$tmp/k" "$kc"
		rm -rf "$tmp"
		touch "$kc/.complete"
	fi
	flock -u "$lockfd"
	if ! dpkg-query -W -f '${Status}' "$hdr" 2>/dev/null | grep -q 'ok installed'; then
		vm_apt_install "$hdr"
	fi
}

# vm_kernel_info NAME [--fetch]: prints, as shell assignments (eval-able):
#   KERNEL_NAME  the NAME asked for
#   KREL         kernel release (uname -r in the guest)
#   VMLINUZ      bootable kernel image
#   MODDIR       module tree of that kernel (has modules.dep)
#   KDIR         kernel build directory to build out-of-tree modules against
#   KCACHE       a writable cache directory for this kernel (initramfs, ...)
# With --fetch, fetches the kernel first if it is not available.
vm_kernel_info() {
	local name=$1 fetch=${2:-} out rc=0
	[[ $name =~ ^[A-Za-z0-9._+-]+$ ]] || vm_die "bad kernel name '$name'"
	if [[ -x $VM_DIR/kernels.d/$name ]]; then
		[[ $fetch == --fetch ]] && { "$VM_DIR/kernels.d/$name" fetch >&2 || vm_die "kernels.d/$name fetch failed"; }
		"$VM_DIR/kernels.d/$name" info || vm_die "kernels.d/$name info failed"
		return
	fi
	out=$(vm_debian_info "$name") || rc=$?
	if ((rc == 3)) && [[ $fetch == --fetch ]]; then
		vm_msg "kernel '$name' is not fetched yet; fetching"
		vm_debian_fetch "$name"
		rc=0
		out=$(vm_debian_info "$name") || rc=$?
	fi
	((rc != 3)) || vm_die "kernel '$name' is not fetched (run tests/vm/fetch-kernel $name)"
	((rc == 0)) || exit "$rc"
	echo "$out"
}

# vm_boot_image VMLINUZ KCACHE: the image QEMU should boot. An uncompressed
# ELF vmlinux with a PVH entry note boots about 3 s faster under TCG than the
# bzImage (no decompression in the guest), so it is extracted once into
# KCACHE/vmlinux; falls back to VMLINUZ when that is not possible.
vm_boot_image() {
	local z=$1 kc=$2 out=$2/vmlinux off tmp magic
	# A kernel provider can ask for the bzImage (kernels.d/debug does).
	if [[ -e $kc/boot-bzimage ]]; then
		echo "$z"
		return 0
	fi
	if [[ -f $out && ! $out -ot $z ]]; then
		echo "$out"
		return 0
	fi
	command -v readelf >/dev/null || { echo "$z"; return 0; }
	tmp=$(mktemp "$kc/.vmlinux.XXXXXX")
	for magic in '\xfd7zXZ\x00' '\x28\xb5\x2f\xfd' '\x1f\x8b\x08'; do
		off=$(LC_ALL=C grep -obUaP "$magic" "$z" | head -n 1 | cut -d: -f1)
		[[ -n $off ]] || continue
		case $magic in
		*XZ*) tail -c +"$((off + 1))" "$z" | xz -dcq >"$tmp" 2>/dev/null ;;
		*xfd) tail -c +"$((off + 1))" "$z" | zstd -dcq >"$tmp" 2>/dev/null ;;
		*) tail -c +"$((off + 1))" "$z" | gzip -dcq >"$tmp" 2>/dev/null ;;
		esac
		# Trailing data after the stream makes the decompressors complain;
		# what counts is an ELF image with Xen's PVH entry note (type 0x12).
		if readelf -n "$tmp" 2>/dev/null | grep -qE 'Xen.*(\(0x00000012\)|PHYS32_ENTRY)'; then
			mv "$tmp" "$out"
			echo "$out"
			return 0
		fi
	done
	rm -f "$tmp"
	echo "$z"
}
