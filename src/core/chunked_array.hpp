// An array that grows by chunks of a fixed power-of-two size: it never holds an old and a new copy of its elements
// at once, as a std::vector does while it grows, and needs no guess of its final size; unlike a std::deque (whose
// chunks hold 512 bytes, nine rows of a catalog), element i is found with one shift and one mask, so sorting it and
// searching it cost about what they do on a vector. Only push_back grows it.
#pragma once

#include "core/postgres_free.hpp"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace pgo::core {

template <typename T, unsigned ChunkBits = 10> class ChunkedArray {
  static constexpr std::size_t kChunk = std::size_t{1} << ChunkBits;
  static constexpr std::size_t kMask = kChunk - 1;

public:
  using value_type = T;
  using size_type = std::size_t;

  template <bool Const> class Iterator {
    using Owner = std::conditional_t<Const, const ChunkedArray, ChunkedArray>;

  public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = std::conditional_t<Const, const T *, T *>;
    using reference = std::conditional_t<Const, const T &, T &>;

    Iterator() = default;
    Iterator(Owner *owner, std::size_t index) : owner_(owner), index_(index) {}
    operator Iterator<true>() const { return Iterator<true>(owner_, index_); }

    reference operator*() const { return (*owner_)[index_]; }
    pointer operator->() const { return &(*owner_)[index_]; }
    reference operator[](difference_type n) const { return (*owner_)[index_ + n]; }
    Iterator &operator++() {
      ++index_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator old = *this;
      ++index_;
      return old;
    }
    Iterator &operator--() {
      --index_;
      return *this;
    }
    Iterator operator--(int) {
      Iterator old = *this;
      --index_;
      return old;
    }
    Iterator &operator+=(difference_type n) {
      index_ += n;
      return *this;
    }
    Iterator &operator-=(difference_type n) {
      index_ -= n;
      return *this;
    }
    friend Iterator operator+(Iterator it, difference_type n) { return it += n; }
    friend Iterator operator+(difference_type n, Iterator it) { return it += n; }
    friend Iterator operator-(Iterator it, difference_type n) { return it -= n; }
    friend difference_type operator-(const Iterator &a, const Iterator &b) {
      return static_cast<difference_type>(a.index_) - static_cast<difference_type>(b.index_);
    }
    friend bool operator==(const Iterator &a, const Iterator &b) { return a.index_ == b.index_; }
    friend bool operator!=(const Iterator &a, const Iterator &b) { return a.index_ != b.index_; }
    friend bool operator<(const Iterator &a, const Iterator &b) { return a.index_ < b.index_; }
    friend bool operator>(const Iterator &a, const Iterator &b) { return a.index_ > b.index_; }
    friend bool operator<=(const Iterator &a, const Iterator &b) { return a.index_ <= b.index_; }
    friend bool operator>=(const Iterator &a, const Iterator &b) { return a.index_ >= b.index_; }

    std::size_t index() const { return index_; }

  private:
    Owner *owner_ = nullptr;
    std::size_t index_ = 0;
  };
  using iterator = Iterator<false>;
  using const_iterator = Iterator<true>;

  ChunkedArray() = default;
  ChunkedArray(ChunkedArray &&) noexcept = default;
  ChunkedArray &operator=(ChunkedArray &&) noexcept = default;

  void push_back(T value) {
    if ((size_ & kMask) == 0 && (size_ >> ChunkBits) == chunks_.size())
      chunks_.push_back(std::make_unique<T[]>(kChunk));
    (*this)[size_] = std::move(value);
    size_++;
  }
  template <typename... Args> T &emplace_back(Args &&...args) {
    push_back(T(std::forward<Args>(args)...));
    return back();
  }

  T &operator[](std::size_t i) { return chunks_[i >> ChunkBits][i & kMask]; }
  const T &operator[](std::size_t i) const { return chunks_[i >> ChunkBits][i & kMask]; }
  T &front() { return (*this)[0]; }
  const T &front() const { return (*this)[0]; }
  T &back() { return (*this)[size_ - 1]; }
  const T &back() const { return (*this)[size_ - 1]; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  iterator begin() { return iterator(this, 0); }
  iterator end() { return iterator(this, size_); }
  const_iterator begin() const { return const_iterator(this, 0); }
  const_iterator end() const { return const_iterator(this, size_); }
  const_iterator cbegin() const { return begin(); }
  const_iterator cend() const { return end(); }

private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  std::size_t size_ = 0;
};

} // namespace pgo::core
