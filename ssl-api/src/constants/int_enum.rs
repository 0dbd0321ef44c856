//! A macro for Python `IntEnum`s: a Rust enum whose discriminants are
//! Python's values, with `value()`, `name()`, `from_i64()`, `repr()` and a
//! `Display` that prints like Python's `str()`.

/// Defines an `IntEnum`-like Rust enum.
///
/// Members are listed in Python's definition order (`Enum.__members__`).
macro_rules! py_int_enum {
    (
        $(#[$meta:meta])*
        pub enum $ty:ident ($pyclass:literal, $refid:literal) {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $value:literal => $pyname:literal,
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(i64)]
        pub enum $ty {
            $(
                $(#[$vmeta])*
                #[doc = concat!("`", $pyclass, ".", $pyname, "` = ", stringify!($value), " (", $refid, ").")]
                $variant = $value,
            )+
        }

        impl $ty {
            #[doc = concat!("Python's class name, `ssl.", $pyclass, "` (", $refid, ").")]
            pub const PYTHON_CLASS: &'static str = $pyclass;

            #[doc = concat!("Every member, in Python's definition order (`", $pyclass, ".__members__`, ", $refid, ").")]
            pub const MEMBERS: &'static [$ty] = &[$($ty::$variant),+];

            #[doc = concat!("The integer value, like Python's `", $pyclass, ".X.value` / `int(x)` (", $refid, ").")]
            pub const fn value(self) -> i64 {
                self as i64
            }

            #[doc = concat!("Python's member name (`", $pyclass, ".X.name`, ", $refid, ").")]
            pub const fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $pyname,)+
                }
            }

            #[doc = concat!("The member with this value, or `None` (", $refid, ").")]
            pub const fn from_value(value: i64) -> Option<Self> {
                match value {
                    $($value => Some($ty::$variant),)+
                    _ => None,
                }
            }

            #[doc = concat!("Python's `", $pyclass, "(value)` (", $refid, "): `ValueError: <value> is not a valid ", $pyclass, "` for unknown values.")]
            pub fn from_i64(value: i64) -> $crate::error::Result<Self> {
                Self::from_value(value).ok_or_else(|| {
                    $crate::error::Error::value(format!(
                        "{} is not a valid {}",
                        value, $pyclass
                    ))
                })
            }

            #[doc = concat!("Python's `", $pyclass, "[name]` (", $refid, "): the member with this Python name, or `None`.")]
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($pyname => Some($ty::$variant),)+
                    _ => None,
                }
            }

            #[doc = concat!("Python 3.11's `repr()` (", $refid, "), e.g. `<", $pyclass, ".NAME: value>`.")]
            pub fn repr(self) -> String {
                format!("<{}.{}: {}>", $pyclass, self.name(), self.value())
            }
        }

        /// Python 3.11's `str()` of an `IntEnum` member: its integer value.
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.value(), f)
            }
        }

        /// Ordered by integer value, like Python's `IntEnum` comparisons.
        impl ::std::cmp::PartialOrd for $ty {
            fn partial_cmp(&self, other: &Self) -> Option<::std::cmp::Ordering> {
                Some(::std::cmp::Ord::cmp(self, other))
            }
        }

        /// Ordered by integer value, like Python's `IntEnum` comparisons.
        impl ::std::cmp::Ord for $ty {
            fn cmp(&self, other: &Self) -> ::std::cmp::Ordering {
                self.value().cmp(&other.value())
            }
        }

        impl ::std::convert::TryFrom<i64> for $ty {
            type Error = $crate::error::Error;

            fn try_from(value: i64) -> $crate::error::Result<Self> {
                Self::from_i64(value)
            }
        }

        impl ::std::convert::From<$ty> for i64 {
            fn from(value: $ty) -> i64 {
                value.value()
            }
        }
    };
}

pub(crate) use py_int_enum;
